import { type CanActivate, type ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { Role } from '../../security/access.entities';
import { AccessGate, type AuthorizedRequest } from '../access/access-gate';

const PUBLIC = 'switchyard:public';
const NEEDS = 'switchyard:role';
/** Marks the one route open without a token: the health check. */
export const Public = () => SetMetadata(PUBLIC, true);
/** The role a route needs; without it, reads need `viewer` and every other method `admin`. */
export const Needs = (role: Role) => SetMetadata(NEEDS, role);

@Injectable()
export class AccessGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AccessGate) private readonly gate: AccessGate,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthorizedRequest>();
    const needed =
      this.reflector.getAllAndOverride<Role>(NEEDS, targets) ??
      (request.method === 'GET' || request.method === 'HEAD' ? 'viewer' : 'admin');
    await this.gate.authorize(request, context.switchToHttp().getResponse<Response>(), needed);
    return true;
  }
}
