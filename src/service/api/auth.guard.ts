import { timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { SERVICE_CONFIG, type ServiceConfig } from '../../config/app-config';

const PUBLIC = 'switchyard:public';
/** Marks the one route open without a token: the health check. */
export const Public = () => SetMetadata(PUBLIC, true);

/** True when `Authorization: Bearer <token>` names one of SWITCHYARD_ADMIN_TOKENS (compared in constant time). */
export function hasAdminToken(header: string | undefined, tokens: string[]): boolean {
  const match = /^Bearer (.+)$/.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]);
  return tokens.some((token) => {
    const expected = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()]))
      return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (hasAdminToken(request.header('authorization'), this.config.SWITCHYARD_ADMIN_TOKENS)) return true;
    throw new UnauthorizedException('send Authorization: Bearer <one of SWITCHYARD_ADMIN_TOKENS>');
  }
}
