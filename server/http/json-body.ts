// API bodies are JSON of at most 10 kB; anything else is refused before a handler sees it. A body
// is also bounded in shape (nesting, array length, key length), so nothing downstream that
// walks it recursively (qs in the callback signature, the query sanitiser) can be overwhelmed.
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors';
import { routedPath } from './routed-path';

export const JSON_LIMIT = '10kb';

/** Our bodies are flat; Authy's callback nests four levels. */
export const MAX_BODY_DEPTH = 8;
export const MAX_BODY_ARRAY = 100;
export const MAX_BODY_KEY = 128;

/**
 * A body that is not JSON is a 415. `formPaths` may also be form-encoded (Authy's callback),
 * given as paths below the mount point, in lower case (Express routes without regard to case).
 */
export function requireJsonBody(formPaths: readonly string[] = []): RequestHandler {
  return (req, _res, next) => {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
    const formPath = formPaths.includes(routedPath(req.path));
    if (!hasBody || req.is('application/json') || (formPath && req.is('application/x-www-form-urlencoded'))) {
      return next();
    }
    next(new HttpError(415, 'Send the request body as application/json.'));
  };
}

/** What is wrong with the body's shape, or undefined. Iterative, so any depth is safe to look at. */
export function bodyShapeProblem(body: unknown): string | undefined {
  const stack: [unknown, number][] = [[body, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_BODY_DEPTH) return 'is nested too deeply';
    if (Array.isArray(value)) {
      if (value.length > MAX_BODY_ARRAY) return 'has an array that is too long';
      for (const item of value) stack.push([item, depth + 1]);
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (key.length > MAX_BODY_KEY) return 'has a key that is too long';
        stack.push([item, depth + 1]);
      }
    }
  }
  return undefined;
}

/** A 400 for a parsed body of a shape no client of ours sends. */
export const checkBodyShape: RequestHandler = (req, _res, next) => {
  const problem = bodyShapeProblem(req.body);
  next(problem ? new HttpError(400, `The request body ${problem}.`) : undefined);
};

/** The JSON body parser of the API: strict (objects and arrays only), 10 kB at most, bounded in shape. */
export const parseJsonBody = (): RequestHandler[] => [express.json({ limit: JSON_LIMIT, strict: true }), checkBodyShape];

/**
 * The push callbacks may be form-encoded (Authy's nested with brackets, Verify's flat): the same
 * bounds as JSON.
 */
export function parseFormBody(extended = true): RequestHandler[] {
  // `depth` is body-parser 2's option (its types lag behind); past it, a 400.
  const options = { extended, limit: JSON_LIMIT, depth: MAX_BODY_DEPTH, parameterLimit: 200 };
  return [express.urlencoded(options), checkBodyShape];
}
