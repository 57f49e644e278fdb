// Builds the sandbox Dashboard's own scripts, with esbuild, the bundler the Stripe CLI uses:
//
//   node build.mjs dashboard OUT          the page's script (host.js) and the iframe's runtime (runtime.js)
//
// An app's bundle (ext.js) is built by sandbox/app_page.py's build_app, with esbuild's executable
// directly: a learner waits for that one, and Node.js starting took two thirds of its time.
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

async function buildDashboard(out) {
  await esbuild.build({
    entryPoints: {host: join(here, 'src/host.jsx'), runtime: join(here, 'src/runtime.jsx')},
    outdir: out,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    jsx: 'automatic',
    define: {'process.env.NODE_ENV': '"production"'},
    logLevel: 'error',
  });
}

const [what, ...args] = process.argv.slice(2);
try {
  if (what === 'dashboard') {
    await buildDashboard(resolve(args[0]));
  } else {
    throw new Error('usage: node build.mjs dashboard OUT');
  }
} catch (error) {
  // esbuild has printed its own messages; the sandbox shows this last line.
  process.stderr.write(`${error.message.split('\n')[0]}\n`);
  process.exit(1);
}
