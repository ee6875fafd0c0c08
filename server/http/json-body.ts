// API bodies are JSON of at most 10 kB; anything else is refused before a handler sees it. A body
// is also bounded in shape (nesting, array length, key length), so nothing downstream that
// walks it recursively (qs in the callback signature, the query sanitiser) can be overwhelmed.
import express, { type RequestHandler } from 'express';
import { HttpError } from './errors';
import { routedPath } from './routed-path';

export const JSON_LIMIT = '10kb';
const JSON_LIMIT_BYTES = 10 * 1024;
/** The type every client of ours sends; others (more parameters, other charsets) take the general path. */
const PLAIN_JSON = /^application\/json(?:;\s*charset="?utf-8"?)?$/i;

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
    if (!hasBody || PLAIN_JSON.test(req.headers['content-type'] ?? '')) return next();
    const formPath = formPaths.includes(routedPath(req.path));
    if (req.is('application/json') || (formPath && req.is('application/x-www-form-urlencoded'))) {
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

const notJson = () => new HttpError(400, 'The request body is not valid JSON.');

/** What express.json({strict: true}) makes of a body: an object or an array, else a 400. */
function parseStrict(text: string): unknown {
  const start = text.search(/[^ \t\n\r]/);
  if (start < 0 || (text[start] !== '{' && text[start] !== '[')) throw notJson();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw notJson();
  }
}

/**
 * The common body read without body-parser's machinery (stream decoders, type parsing), which
 * costs more than the rest of a small request: plain JSON in UTF-8, uncompressed, with a length
 * within the limit. The answers are the same; any other body is left to express.json, next in line.
 */
const readPlainJson: RequestHandler = (req, _res, next) => {
  const length = Number(req.headers['content-length']);
  const encoding = req.headers['content-encoding'];
  const plain = length > 0 && length <= JSON_LIMIT_BYTES && (encoding === undefined || encoding.toLowerCase() === 'identity');
  if (!plain || !PLAIN_JSON.test(req.headers['content-type'] ?? '')) return next();
  const chunks: Buffer[] = [];
  let done = false;
  const finish = (err?: unknown) => {
    if (done) return;
    done = true;
    if (err) return next(err);
    // Node's parser delivers exactly Content-Length bytes; a body that ended short was cut off.
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    if (body.length !== length) return next(new HttpError(400, 'The request body was not received whole.'));
    try {
      // A byte order mark is dropped, as body-parser's decoder does.
      req.body = parseStrict(body.toString('utf8').replace(/^\uFEFF/, ''));
    } catch (parseError) {
      return next(parseError);
    }
    next();
  };
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.once('end', () => finish());
  req.once('error', finish);
  // 'close' comes after 'end' on every request: the error (and its stack trace) is made only
  // for a body that was cut off.
  req.once('close', () => {
    if (!done) finish(new HttpError(400, 'The request body was not received whole.'));
  });
};

/** The JSON body parser of the API: strict (objects and arrays only), 10 kB at most, bounded in shape. */
export const parseJsonBody = (): RequestHandler[] => [readPlainJson, express.json({ limit: JSON_LIMIT, strict: true }), checkBodyShape];

/**
 * The push callbacks may be form-encoded (Authy's nested with brackets, Verify's flat): the same
 * bounds as JSON.
 */
export function parseFormBody(extended = true): RequestHandler[] {
  // `depth` is body-parser 2's option (its types lag behind); past it, a 400.
  const options = { extended, limit: JSON_LIMIT, depth: MAX_BODY_DEPTH, parameterLimit: 200 };
  return [express.urlencoded(options), checkBodyShape];
}
