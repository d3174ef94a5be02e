import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

/** Validates a body or query with zod; a 400 lists every bad field and what is wrong with it. */
export class ZodPipe<T extends z.ZodTypeAny> implements PipeTransform<unknown, z.infer<T>> {
  constructor(private readonly schema: T) {}

  transform(value: unknown): z.infer<T> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data as z.infer<T>;
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: 'the request is invalid; nothing was written',
      fields: parsed.error.issues.map((issue) => ({
        field: issue.path.join('.') || '(body)',
        problem: issue.message,
      })),
    });
  }
}
