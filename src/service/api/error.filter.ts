import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Response } from 'express';
import { type ErrorCode, SwitchyardError } from '../../common/errors';
import { redact } from '../../common/secrets';
import { NotFound } from './not-found.error';

const STATUS: Record<ErrorCode, number> = {
  PLAN_INVALID: 400,
  MAPPING_INVALID: 400,
  PLATFORM_AUTH: 502,
  PLATFORM_UNREACHABLE: 502,
  PLATFORM_THROTTLED: 503,
  PLATFORM_QUOTA: 503,
  PLATFORM_TEMPORARY: 502,
  PLATFORM_REJECTED: 502,
  OUTCOME_UNKNOWN: 502,
  SAFETY_LIMIT: 409,
  LEDGER_STATE: 409,
};

/** The one place an error becomes an HTTP answer. Messages never carry credentials. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (error instanceof HttpException) {
      const body = error.getResponse();
      response
        .status(error.getStatus())
        .json(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
      return;
    }
    if (error instanceof NotFound) {
      response.status(404).json({ statusCode: 404, error: 'Not Found', message: error.message });
      return;
    }
    if (error instanceof SwitchyardError) {
      const status = STATUS[error.code];
      response.status(status).json({ statusCode: status, error: error.code, message: redact(error.message) });
      return;
    }
    const parserError = error as { status?: unknown; type?: unknown; message?: string };
    if (
      typeof parserError.type === 'string' &&
      typeof parserError.status === 'number' &&
      parserError.status < 500
    ) {
      // The body parser's own refusals: a body too large (413) or not JSON (400).
      const status = parserError.status;
      const message =
        parserError.type === 'entity.too.large'
          ? 'the request body is larger than the API accepts (1 MB)'
          : `the request body cannot be read: ${parserError.message ?? parserError.type}`;
      response.status(status).json({ statusCode: status, message });
      return;
    }
    response.status(500).json({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'unexpected error; see the server log',
    });
  }
}
