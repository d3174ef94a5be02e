import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { jsonSchema } from '../api/openapi';
import { connectionBody } from '../api/schemas';
import { ZodPipe } from '../api/zod-body.pipe';
import { ConnectionsService } from './connections.service';

@ApiTags('connections')
@ApiBearerAuth()
@Controller('api/connections')
export class ConnectionsController {
  constructor(@Inject(ConnectionsService) private readonly connections: ConnectionsService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Store a platform connection; credentials are encrypted and never returned' })
  @ApiBody({ schema: jsonSchema(connectionBody) })
  create(@Body(new ZodPipe(connectionBody)) body: z.infer<typeof connectionBody>) {
    return this.connections.create(body);
  }

  @Post(':id/test')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reach the platform with the stored credentials; 400 with its reason if it refuses',
  })
  test(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.connections.test(id);
  }

  @Get()
  list() {
    return this.connections.list();
  }

  @Get(':id')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.connections.get(id);
  }
}
