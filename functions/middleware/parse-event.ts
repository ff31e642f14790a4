import type { MiddlewareObj } from '@middy/core';
import type * as z from '../../shared/zod';

/** Raised when an event does not match its schema: not retryable, the event is dead-lettered. */
export class EventShapeError extends Error {
  readonly code = 'INVALID_EVENT';
  readonly retryable = false;
  constructor(readonly issues: string[]) {
    super(`event does not match its schema: ${issues.join('; ')}`);
    this.name = 'EventShapeError';
  }
}

/**
 * middy middleware that parses the event with a zod schema at the edge, so
 * handlers only ever see well-formed input.
 */
export function parseEvent<T extends z.ZodMiniType>(schema: T, onInvalid?: (issues: string[]) => void): MiddlewareObj<unknown> {
  return {
    before: (request) => {
      const result = schema.safeParse(request.event);
      if (result.success) {
        request.event = result.data;
        return;
      }
      const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
      onInvalid?.(issues);
      throw new EventShapeError(issues);
    },
  };
}
