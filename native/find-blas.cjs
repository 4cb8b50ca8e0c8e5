// Prints the compiler or linker flags of the machine's CBLAS for binding.gyp, or fails with the reason.
'use strict';
const { execFileSync } = require('node:child_process');

const what = process.argv[2];
if (process.platform === 'darwin') {
  // Accelerate is linked through xcode_settings in binding.gyp
  process.stdout.write('');
  process.exit(0);
}
for (const pkg of ['openblas', 'cblas', 'blas-openblas']) {
  try {
    const out = execFileSync('pkg-config', [what === 'cflags' ? '--cflags' : '--libs', pkg], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    process.stdout.write(out.toString().trim());
    process.exit(0);
  } catch {
    /* try the next name */
  }
}
process.stderr.write(
  'gradlab native: no CBLAS found by pkg-config (looked for openblas, cblas); install OpenBLAS (Debian: apt-get install -y libopenblas-dev)\n',
);
process.exit(1);
