// Jest global setup: bundle the Lambda handlers first, so the tests (constructs, simulator, end-to-end) always run the
// bundles of the sources as they are now, exactly as the package ships them (about a second).
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = () => {
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'bundle-lambdas.mjs'), '--quiet'], { stdio: 'inherit' });
};
