import fc from 'fast-check';

// fast-check's default base size 'small' caps every unbounded-by-size arbitrary far below its stated
// bounds: fc.array(x, { maxLength: 60 }) then never yields more than ~10 items, so a property "over any
// trace of up to 60 steps" never sees one past ~10 (that hid storedView's >16-commit bug, b689f44).
// 'medium' lets arrays reach ~100 items, so the stated maxLength is what the properties actually explore.
// The seed: under CI, the commit's (see vitest.config.ts), so a failing CI run replays exactly; a
// failure prints its seed, and FC_SEED=<seed> replays it anywhere.
const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
fc.configureGlobal({ baseSize: 'medium', ...(Number.isInteger(seed) ? { seed } : {}) });
