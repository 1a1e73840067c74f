// `auditline components | head -1`: when the reader of stdout goes away, the
// command ends quietly with its status so far, instead of dying on EPIPE.
let installed = false;

export function handleStdoutEpipe(stream: NodeJS.WriteStream = process.stdout): void {
  if (installed) return;
  installed = true;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
    throw err;
  });
}
