#!/usr/bin/env node
// One bundled file (rollup.cli.config.js): starting from build/'s ~100 modules cost ~0.35 s per run.
import '../build/bundle/edgegate-cli.js';
