// Node built-in modules taken without their ESM facade. `import … from 'node:fs'` makes Node read
// every export of the module, and some exports are getters that load more (fs.promises, util's
// MIME classes; http's WebSocket loads undici): about 7 ms each for fs and util and 45 ms for
// http, at every start of the CLI, for modules it never uses. process.getBuiltinModule hands over
// the module object itself. Code on the CLI's start-up path takes these from here.

export const fs = process.getBuiltinModule('node:fs');
export const util = process.getBuiltinModule('node:util');

/** HTTP clients and servers, loaded when first asked for (most runs make no HTTP request). */
export const http = () => process.getBuiltinModule('node:http');
export const https = () => process.getBuiltinModule('node:https');
export const zlib = () => process.getBuiltinModule('node:zlib');
