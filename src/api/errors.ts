/** An error that crosses the API: a stable code to match on, a message for people. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string, id: string) => new ApiError(404, `${what.toUpperCase()}_NOT_FOUND`, `${what} ${id} does not exist`);
