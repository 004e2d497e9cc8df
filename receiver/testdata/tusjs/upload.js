// node upload.js ENDPOINT FILE PROTOCOL CHUNK [KILL_AFTER] [UPLOAD_URL]
// sends FILE with tus-js-client in PROTOCOL (tus-v1, ietf-draft-03,
// ietf-draft-05), CHUNK bytes a request; with KILL_AFTER it kills itself
// (SIGKILL) once that many bytes are acknowledged; with UPLOAD_URL it
// resumes that upload. Prints "URL …" once known and "DONE …" at the end.
const tus = require('tus-js-client');
const fs = require('fs');
const path = require('path');

const [endpoint, file, protocol, chunk, killAfter, resume] = process.argv.slice(2);
const token = process.env.FERRY_TOKEN;
const up = new tus.Upload(fs.readFileSync(file), {
  endpoint,
  protocol,
  uploadUrl: resume || null,
  chunkSize: Number(chunk) || Infinity,
  headers: token ? { Authorization: 'Bearer ' + token } : {},
  metadata: { filename: path.basename(file) },
  retryDelays: [0, 200, 500],
  onUploadUrlAvailable() { console.log('URL ' + up.url); },
  onChunkComplete(_, accepted) {
    if (Number(killAfter) && accepted >= Number(killAfter)) process.kill(process.pid, 'SIGKILL');
  },
  onError(e) { console.log('ERROR ' + e); process.exit(1); },
  onSuccess() { console.log('DONE ' + up.url); },
});
up.start();
