import { ForbiddenException, HttpException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { Role } from '../../security/access.entities';
import { type Actor, allows, TokensService } from './tokens.service';

/** Refused sign-ins one address may make in a minute before it is told to wait. */
export const FAILED_SIGN_INS_PER_MINUTE = 10;
const WINDOW_MS = 60_000;

export type AuthorizedRequest = Request & { actor?: Actor };

/**
 * Who may do what: the token's actor and role, and a brake on guessing. An address whose sign-ins were
 * refused FAILED_SIGN_INS_PER_MINUTE times in a minute gets 429 with Retry-After until the minute has passed
 * (per API process).
 */
@Injectable()
export class AccessGate {
  /** The one gate of this process, for express middleware made before Nest's injector runs. */
  static current?: AccessGate;
  private readonly failures = new Map<string, number[]>();

  constructor(@Inject(TokensService) private readonly tokens: TokensService) {
    AccessGate.current = this;
  }

  /** Sets `req.actor`, or throws 401, 403 or 429 (with `Retry-After` set on `res`). */
  async authorize(req: AuthorizedRequest, res: Response, needed: Role): Promise<Actor> {
    const ip = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const now = Date.now();
    const recent = (this.failures.get(ip) ?? []).filter((at) => now - at < WINDOW_MS);
    if (recent.length >= FAILED_SIGN_INS_PER_MINUTE) {
      const seconds = Math.ceil((recent[0] + WINDOW_MS - now) / 1000);
      res.setHeader('Retry-After', String(seconds));
      throw new HttpException(
        { statusCode: 429, message: `too many refused tokens from ${ip}; try again in ${seconds} s` },
        429,
      );
    }
    // Counted as refused until proven otherwise, so a burst of guesses in flight together is braked too.
    this.failures.set(ip, [...recent, now]);
    const actor = await this.tokens.authenticate(req.header('authorization'));
    if (!actor) throw new UnauthorizedException('send Authorization: Bearer <an API token>');
    const attempts = this.failures.get(ip) ?? [];
    const counted = attempts.indexOf(now);
    if (counted >= 0) attempts.splice(counted, 1);
    req.actor = actor;
    if (!allows(actor.role, needed))
      throw new ForbiddenException(`token ${actor.name} is a ${actor.role}; this needs the ${needed} role`);
    return actor;
  }
}

/** The same check for routes outside Nest's controllers (the OpenAPI page, Bull Board). */
export function requireRole(needed: Role) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const gate = AccessGate.current;
    if (!gate) {
      res.status(503).json({ statusCode: 503, message: 'starting' });
      return;
    }
    gate.authorize(req, res, needed).then(
      () => next(),
      (error: HttpException) => res.status(error.getStatus()).json(error.getResponse()),
    );
  };
}
