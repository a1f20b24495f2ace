// s3rver 3.7.1 for the S3 client tests, plus the two multipart calls it answers NotImplemented /
// MethodNotAllowed: ListMultipartUploads and AbortMultipartUpload, so the tests can check that an
// interrupted upload leaves nothing behind; and two of S3's answers that it does not give: 412
// PreconditionFailed for a GET or HEAD whose If-Match names another ETag, and 403
// InvalidObjectState for a GET of an object stored as GLACIER or DEEP_ARCHIVE (never restored
// here). Path-style requests only (the tests use 127.0.0.1). With S3RVER_REQUEST_LOG set, every
// request is appended to that file as it arrives, a line "METHOD PATH?QUERY" each (as sent, not
// decoded), so a test can count what a command asked for.
// usage: [S3RVER_REQUEST_LOG=FILE] node s3rver_server.js PORT DIRECTORY BUCKET
'use strict';

const fs = require('fs');
const path = require('path');
const S3rver = require('s3rver');
const authentication = require('s3rver/lib/middleware/authentication');
const S3Error = require('s3rver/lib/models/error');

const [port, directory, bucket] = process.argv.slice(2);
if (!port || !directory || !bucket) {
  console.error('usage: node s3rver_server.js PORT DIRECTORY BUCKET');
  process.exit(2);
}

const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  directory,
  silent: true,
  configureBuckets: [{ name: bucket }],
});

function uploadsDir(name) {
  // Where s3rver's filesystem store keeps multipart uploads: one directory per upload id, holding a
  // file named "key".
  return server.store.getResourcePath(name, undefined, 'uploads');
}

const authenticate = authentication();
async function multipartExtras(ctx, next) {
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
  if (!match) return next();
  const [, name, rawKey] = match;
  const listing = ctx.method === 'GET' && !rawKey && 'uploads' in ctx.query;
  const abort = ctx.method === 'DELETE' && rawKey && 'uploadId' in ctx.query;
  if (!listing && !abort) return next();
  ctx.params = { bucket: name, key: rawKey ? decodeURIComponent(rawKey) : undefined };
  await authenticate(ctx, async () => {
    const dir = uploadsDir(name);
    if (abort) {
      const id = String(ctx.query.uploadId);
      if (!/^[0-9a-f]+$/.test(id) || !fs.existsSync(path.join(dir, id))) {
        throw new S3Error('NoSuchUpload', 'The specified upload does not exist.', { UploadId: id });
      }
      fs.rmSync(path.join(dir, id), { recursive: true, force: true });
      ctx.status = 204;
      return;
    }
    const prefix = String(ctx.query.prefix || '');
    const ids = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    const uploads = ids
      .map(id => ({ id, key: fs.readFileSync(path.join(dir, id, 'key')).toString() }))
      .filter(upload => upload.key.startsWith(prefix))
      .sort((a, b) => (a.key === b.key ? a.id.localeCompare(b.id) : a.key < b.key ? -1 : 1));
    ctx.body = {
      ListMultipartUploadsResult: {
        '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
        Bucket: name,
        Prefix: prefix,
        IsTruncated: 'false',
        Upload: uploads.map(upload => ({ Key: upload.key, UploadId: upload.id })),
      },
    };
  });
}

const archiveClasses = ['GLACIER', 'DEEP_ARCHIVE'];  // S3's classes that need a restore before a GET
async function objectPreconditions(ctx, next) {
  const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
  const subresource = ['uploadId', 'acl', 'tagging', 'torrent'].some(name => name in ctx.query);
  if (!match || (ctx.method !== 'GET' && ctx.method !== 'HEAD') || subresource) return next();
  const [, name, rawKey] = match;
  const key = decodeURIComponent(rawKey);
  ctx.params = { bucket: name, key };
  let metadata;
  await authenticate(ctx, async () => {
    // A missing object is left to s3rver's own 404.
    metadata = await server.store.getMetadata(name, key).catch(() => undefined);
  });
  if (!metadata) return next();
  const ifMatch = ctx.headers['if-match'];
  if (ifMatch !== undefined) {
    const stored = String(metadata.etag).replace(/"/g, '');
    const wanted = ifMatch.split(',').map(tag => tag.trim().replace(/^W\//, '').replace(/"/g, ''));
    if (!wanted.includes('*') && !wanted.includes(stored)) {
      const message = 'At least one of the pre-conditions you specified did not hold';
      throw new S3Error('PreconditionFailed', message, { Condition: 'If-Match' });
    }
  }
  const storageClass = metadata['x-amz-storage-class'];
  if (ctx.method === 'GET' && archiveClasses.includes(storageClass)) {
    const message = "The operation is not valid for the object's storage class";
    throw new S3Error('InvalidObjectState', message, { StorageClass: storageClass });
  }
  return next();
}

// Just before s3rver's router, after its XML encoder, so the answers are serialised like its own.
server.middleware.splice(server.middleware.length - 1, 0, multipartExtras, objectPreconditions);

// First of all, before s3rver's own logger: every request, also those answered with an error.
// Appended synchronously, so the file is complete (and in order) when the client has its answer.
const requestLog = process.env.S3RVER_REQUEST_LOG;
if (requestLog) {
  server.middleware.unshift(async function logRequest(ctx, next) {
    fs.appendFileSync(requestLog, `${ctx.method} ${ctx.originalUrl}\n`);
    return next();
  });
}

server.run().then(
  () => console.log(`s3rver listening on 127.0.0.1:${port}, bucket ${bucket}, directory ${directory}`),
  error => {
    console.error(`s3rver failed to start: ${error.message}`);
    process.exit(1);
  },
);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close().finally(() => process.exit(0)));
}
