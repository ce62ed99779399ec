/**
 * The shape-rule table: domain → op type → rule. One place to see which ops EdgeGate understands.
 */
import type { RuleTable, ShapeRule } from './context.js';
import { CONTROL_RULES } from './control.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { EXTRA_RULES } from './extra.js';
import { MICROSOFT_RULES } from './microsoft.js';
import { NN_RULES } from './nn.js';
import { QUANT_RULES } from './quant.js';
import { RNN_RULES } from './rnn.js';
import { TENSOR_RULES } from './tensor.js';

/** All shape rules, by domain ("" is ai.onnx). */
export const SHAPE_RULES: RuleTable = {
  '': {
    ...ELEMENTWISE_RULES,
    ...TENSOR_RULES,
    ...NN_RULES,
    ...QUANT_RULES,
    ...RNN_RULES,
    ...CONTROL_RULES,
    ...EXTRA_RULES,
  },
  'com.microsoft': MICROSOFT_RULES,
};

/** The rule for an op, or undefined when EdgeGate does not know it. */
export function findShapeRule(domain: string, opType: string): ShapeRule | undefined {
  const table = SHAPE_RULES[domain];
  return table !== undefined && Object.hasOwn(table, opType) ? table[opType] : undefined;
}
