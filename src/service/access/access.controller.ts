import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ROLES, type Role } from '../../security/access.entities';
import { Needs } from '../api/auth.guard';
import { ZodPipe } from '../api/zod-body.pipe';
import type { AuthorizedRequest } from './access-gate';
import { AuditLogService } from './audit-log.service';
import { TokensService } from './tokens.service';

const tokenBody = z
  .object({
    name: z.string().min(1, 'is required').max(100),
    role: z.enum(ROLES as [Role, ...Role[]], {
      errorMap: () => ({ message: `must be one of ${ROLES.join(', ')}` }),
    }),
  })
  .strict();
const auditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  before: z.string().max(40).optional(),
});

@ApiTags('access')
@ApiBearerAuth()
@Controller('api')
export class AccessController {
  constructor(
    @Inject(TokensService) private readonly tokens: TokensService,
    @Inject(AuditLogService) private readonly auditLog: AuditLogService,
  ) {}

  @Post('tokens')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Make an API token with a role (viewer, operator, admin); the token is shown once',
  })
  create(@Body(new ZodPipe(tokenBody)) body: z.infer<typeof tokenBody>, @Req() req: AuthorizedRequest) {
    return this.tokens.create(body, req.actor!);
  }

  @Get('tokens')
  @Needs('admin')
  list() {
    return this.tokens.list();
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  async revoke(@Param('id', new ParseUUIDPipe()) id: string) {
    await this.tokens.revoke(id);
  }

  @Get('audit-log')
  @Needs('admin')
  @ApiOperation({ summary: 'Who did what, when and from where, newest first' })
  events(@Query(new ZodPipe(auditQuery)) query: z.infer<typeof auditQuery>) {
    return this.auditLog.list(query);
  }
}
