import { writeTemplate } from './pglite-template.js';

// postinstall: prepare the embedded database template (see pglite-template.ts). Never fails the install.
try {
  const path = await writeTemplate();
  process.stdout.write(`loadwatch: embedded database template ready (${path})\n`);
} catch (err) {
  process.stdout.write(`loadwatch: could not prepare the embedded database template; the first start will be slower (${(err as Error).message})\n`);
}
