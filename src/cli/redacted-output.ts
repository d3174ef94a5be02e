import { redact } from '../common/secrets';

/**
 * Everything the CLI prints passes through `redact`: a secret that found its way into a platform's error
 * message, a URL or a stack is printed as `***`, whatever the path it took.
 */
export function redactProcessOutput(): void {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = (chunk: unknown, ...rest: unknown[]) =>
      write(typeof chunk === 'string' || Buffer.isBuffer(chunk) ? redact(chunk.toString()) : chunk, ...rest);
  }
}
