import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * AES-256-GCM for connection credentials at rest: `v1:<iv>:<tag>:<ciphertext>` (base64). A random
 * 96-bit IV per value; the tag makes a tampered or wrongly keyed value fail loudly, never decrypt to junk.
 */
export class CredentialCipher {
  private readonly key: Buffer;

  constructor(hexKey: string) {
    this.key = Buffer.from(hexKey, 'hex');
    if (this.key.length !== 32) throw new Error('SWITCHYARD_SECRET_KEY must be 32 bytes (64 hex characters)');
  }

  encrypt(credentials: Record<string, string>): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credentials), 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      ciphertext.toString('base64'),
    ].join(':');
  }

  decrypt(value: string): Record<string, string> {
    const [version, iv, tag, ciphertext] = value.split(':');
    if (version !== VERSION || !iv || !tag || !ciphertext)
      throw new Error('credentials are not in a format this version can read');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    try {
      const plain = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as Record<string, string>;
    } catch {
      throw new Error(
        'credentials cannot be decrypted: SWITCHYARD_SECRET_KEY differs from the key they were stored with',
      );
    }
  }
}
