// A synthetic S3 bucket for bench/objects_scale.sh: COUNT objects under uploads/kb/ that exist only
// as numbers (object i is the 16 bytes "object NNNNNNNN\n"), so a million-object bucket costs no disk
// and the plugin, not the server, is what is measured. Answers the calls a backup of an objects part
// makes: ListObjectsV2 (path style, max-keys, continuation-token, prefix), GET and HEAD of an object
// (If-Match honoured: 412), and 404 for anything else. Signatures are not checked.
// usage: node synthetic_s3.js PORT BUCKET COUNT
'use strict';
const http = require('http');
const crypto = require('crypto');

const [port, bucket, countText] = process.argv.slice(2);
const count = Number(countText);
const prefix = 'uploads/kb/';
const key = i => `${prefix}${String(i).padStart(8, '0')}.pdf`;
const body = i => `object ${String(i).padStart(8, '0')}\n`;
const etag = i => crypto.createHash('md5').update(body(i)).digest('hex');
const indexOf = k => {
  const m = /^uploads\/kb\/(\d{8})\.pdf$/.exec(k);
  const i = m ? Number(m[1]) : -1;
  return i >= 0 && i < count ? i : -1;
};

function list(query, res) {
  const wantPrefix = query.get('prefix') || '';
  const max = Math.min(Number(query.get('max-keys') || 1000), 1000);
  const start = Number(query.get('continuation-token') || 0);
  const matches = prefix.startsWith(wantPrefix) || wantPrefix.startsWith(prefix);
  const end = matches ? Math.min(count, start + max) : start;
  const parts = [];
  for (let i = start; i < end; ++i) {
    if (!key(i).startsWith(wantPrefix)) continue;
    parts.push(`<Contents><Key>${key(i)}</Key><LastModified>2026-12-01T00:00:00.000Z</LastModified>` +
      `<ETag>&quot;${etag(i)}&quot;</ETag><Size>16</Size><StorageClass>STANDARD</StorageClass></Contents>`);
  }
  const truncated = matches && end < count;
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.end('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
    `<Name>${bucket}</Name><Prefix>${wantPrefix}</Prefix><KeyCount>${parts.length}</KeyCount><MaxKeys>${max}</MaxKeys>` +
    `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${end}</NextContinuationToken>` : ''}` +
    `${parts.join('')}</ListBucketResult>`);
}

function notFound(res, code) {
  res.writeHead(code === 'PreconditionFailed' ? 412 : 404, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message></Error>`);
}

http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  const path = decodeURIComponent(url.pathname);
  if (req.method === 'GET' && (path === `/${bucket}` || path === `/${bucket}/`) && url.searchParams.get('list-type') === '2')
    return list(url.searchParams, res);
  if ((req.method === 'GET' || req.method === 'HEAD') && path.startsWith(`/${bucket}/`)) {
    const i = indexOf(path.slice(bucket.length + 2));
    if (i < 0) return notFound(res, 'NoSuchKey');
    const tag = etag(i);
    const ifMatch = req.headers['if-match'];
    if (ifMatch && ifMatch.replace(/"/g, '') !== tag) return notFound(res, 'PreconditionFailed');
    res.writeHead(200, { etag: `"${tag}"`, 'content-length': 16, 'content-type': 'application/pdf',
                         'last-modified': 'Tue, 01 Dec 2026 00:00:00 GMT' });
    return res.end(req.method === 'HEAD' ? undefined : body(i));
  }
  notFound(res, 'NoSuchKey');
}).listen(Number(port), '127.0.0.1', () => console.log(`synthetic S3 on 127.0.0.1:${port}, ${count} objects`));
