// Loads a built entry point, or says how to build it instead of a bare MODULE_NOT_FOUND.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

module.exports = function requireBuilt(relativePath) {
  const file = join(__dirname, '..', relativePath);
  if (!existsSync(file)) {
    process.stderr.write(`${relativePath} is not built yet: run "npm run build" in ${join(__dirname, '..')}\n`);
    process.exit(1);
  }
  require(file);
};
