/**
 * Limits on inputs a pull request controls (configs, device profiles, parity references and results).
 * Each is documented, with its error code and what to do, in docs/limits.md; change both together.
 */

/** `.edgegate.yml`: larger files are refused before parsing (real configs are a few KiB). */
export const CONFIG_MAX_BYTES = 1024 * 1024;
/** One device profile file (shipped profiles are under 50 KiB). */
export const PROFILE_MAX_BYTES = 1024 * 1024;
/**
 * Lines plus commas in a config, checked before YAML parsing: parsing costs ~30 µs per item on a
 * loaded CI runner, so 600,000 one-letter items under the byte cap would take 20 s. Real configs
 * have a few hundred.
 */
export const CONFIG_MAX_ITEMS = 20_000;
/** Lines plus commas in a profile (the largest shipped profile has about 1,300). */
export const PROFILE_MAX_ITEMS = 50_000;
/**
 * YAML alias nodes expanded per document (yaml's `maxAliasCount`): anchors and aliases are rare in
 * configs, and a few dozen nested aliases are enough to expand into billions of nodes.
 */
export const YAML_MAX_ALIASES = 100;
/** Flow collections (`[` / `{`) nested deeper than this are refused before parsing: yaml's parser recurses per level. */
export const YAML_MAX_FLOW_DEPTH = 64;
/** Device profiles one run loads (a config's `defaults.devices`, `--device`, the action's `devices`). */
export const MAX_DEVICES = 256;
/** Entries of any list in `.edgegate.yml` (budgets, waivers, dims, runners). */
export const CONFIG_MAX_LIST_ENTRIES = 10_000;

/** A reference dump's `manifest.json`. */
export const REFERENCE_MANIFEST_MAX_BYTES = 64 * 1024 * 1024;
/** Tensor files one reference dump may list. */
export const REFERENCE_MAX_FILES = 100_000;
/** One reference tensor file (.npy). */
export const REFERENCE_MAX_FILE_BYTES = 2 * 1024 * 1024 * 1024 - 1;
/** All tensor files of one reference dump together. */
export const REFERENCE_MAX_TOTAL_BYTES = 8 * 1024 * 1024 * 1024;
/** One parity `result.json`. */
export const RESULT_MAX_BYTES = 64 * 1024 * 1024;
/** Tensor rows or kernel rows in one result.json. */
export const RESULT_MAX_ROWS = 200_000;
/** The check job's report artifact as `mode: report` reads it. */
export const REPORT_ARTIFACT_MAX_BYTES = 256 * 1024 * 1024;
/**
 * The `result.json` an external runtime writes (docs/parity.md): a map of output files, timings and kernel
 * counts, a few KiB for real models. A runtime that writes more is broken or hostile.
 */
export const EXTERNAL_RESULT_MAX_BYTES = 16 * 1024 * 1024;
/** One sysfs value EdgeGate records about the host (cpufreq, thermal, throttling): one line each. */
export const HOST_SYSFS_MAX_BYTES = 4096;
/** /proc/cpuinfo: about 1.5 KiB per core on x86, so this holds over 2,000 cores. */
export const HOST_CPUINFO_MAX_BYTES = 4 * 1024 * 1024;

// ---- models (src/onnx/reader.ts, src/graph/analyze.ts) ----

/** Rank of any tensor a model declares or EdgeGate infers (numpy's limit; ORT models stay far below). */
export const MODEL_MAX_RANK = 64;
/**
 * Elements of any tensor a model declares or EdgeGate infers: 2^40 (4 TiB of float32), far past any edge
 * model, and low enough that element and byte counts stay exact in a JavaScript number.
 */
export const MODEL_MAX_ELEMENTS = 2 ** 40;
/** Nodes of a model, its subgraphs and functions together (large exported LLMs have ~100,000). */
export const MODEL_MAX_NODES = 1_000_000;
/** Nesting of If/Loop/Scan bodies and model-local function calls. */
export const MODEL_MAX_SUBGRAPH_DEPTH = 32;
/**
 * Pairs of activation tensors whose lifetimes overlap. The memory planners (TFLM greedy-by-size, ORT arena)
 * visit every such pair, about 40 ns each: this caps one plan near 2 s. Real models stay far below (a
 * 100,000-node chain has ~200,000 pairs); a 20,000-way fan-out into one Concat has 200 million.
 */
export const MODEL_MAX_LIFETIME_OVERLAPS = 50_000_000;
