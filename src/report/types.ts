/**
 * The report types, derived from the zod schemas in contract.ts (the one definition). Kept as a module so
 * stages can import types without pulling the schemas' descriptions into their reading.
 */
export { REPORT_SCHEMA_VERSION } from './contract.js';
export type {
  AnalysisWarning,
  BudgetReport,
  CheckRun,
  DeviceReport,
  DeviceVerdict,
  FlashBreakdown,
  FoldingReport,
  LatencyRange,
  ModelError,
  ModelReport,
  NodePlacementReport,
  Placement,
  QuantizationReport,
  RamBreakdown,
  Report,
  ReportError,
  Transfer,
  WhatIf,
} from './contract.js';
