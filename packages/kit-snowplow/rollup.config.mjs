import { packageConfig } from '../../rollup.package.mjs';

export default packageConfig(import.meta.dirname, { index: 'src/index.ts', protocol: 'src/protocol.ts' }, {
  // The page's members (web-page.ts), read by the kit alone: never stored nor handed out.
  privateMembers: ['spId', 'forgetSpId', 'fields'],
});
