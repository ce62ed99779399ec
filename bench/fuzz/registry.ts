/** Every fuzz family, in the order the driver interleaves them. Add a family here to plug it in. */
import { modelBytes } from './families/model-bytes.js';
import { modelOps } from './families/model-ops.js';
import { modelScale } from './families/model-scale.js';
import { modelStruct } from './families/model-struct.js';
import { configYaml } from './families/config-yaml.js';
import { parityReference, parityResult } from './families/parity.js';
import { profileYaml } from './families/profile-yaml.js';
import type { FuzzFamily } from './types.js';

export const FUZZ_FAMILIES: readonly FuzzFamily[] = [modelBytes, modelStruct, modelOps, modelScale, configYaml, profileYaml, parityReference, parityResult];
