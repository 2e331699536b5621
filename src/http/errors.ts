import { defineErrors } from '../shared/index.js';

/** Errors raised by the HTTP layer itself. */
export const HttpErrors = defineErrors({
  HTTP_AUTH_REQUIRED: { errno: 1045, sqlState: '28000', httpStatus: 401 },
  HTTP_BAD_BODY: { errno: 1105, sqlState: 'HY000', httpStatus: 400 },
  HTTP_BODY_TOO_LARGE: { errno: 1153, sqlState: '08S01', httpStatus: 413 },
  HTTP_ROUTE_NOT_FOUND: { errno: 1105, sqlState: 'HY000', httpStatus: 404 },
});
