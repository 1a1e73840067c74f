// A local webhook receiver for the collector's alerts extension: prints each
// JSON notification it receives, one per line, and answers 204.
//
//   node webhook.mjs          listens on :9099 (WEBHOOK_PORT), POST /alerts
import { createServer } from 'node:http';

const PORT = Number(process.env.WEBHOOK_PORT ?? 9099);
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => {
    body += c;
  });
  req.on('end', () => {
    try {
      console.log(JSON.stringify(JSON.parse(body)));
    } catch {
      console.log(`(not JSON) ${body}`);
    }
    res.writeHead(204).end();
  });
});
server.listen(PORT, '127.0.0.1', () => console.error(`Webhook receiver on http://127.0.0.1:${PORT}/alerts`));
process.once('SIGTERM', () => server.close(() => process.exit(0)));
process.once('SIGINT', () => server.close(() => process.exit(0)));
