/** An id in a path that names nothing: the exception filter answers 404. */
export class NotFound extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} ${id} does not exist`);
  }
}
