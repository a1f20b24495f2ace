// s3rver 3.7.1 for the S3 client tests, plus the two multipart calls it answers NotImplemented /
// MethodNotAllowed: ListMultipartUploads and AbortMultipartUpload, so the tests can check that an
// interrupted upload leaves nothing behind. Path-style requests only (the tests use 127.0.0.1).
// usage: node s3rver_server.js PORT DIRECTORY BUCKET
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

// Just before s3rver's router, after its XML encoder, so the answers are serialised like its own.
server.middleware.splice(server.middleware.length - 1, 0, multipartExtras);

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
