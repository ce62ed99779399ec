/**
 * Fake GitHub for e2e tests: REST API, Actions results service (Twirp) and blob storage on
 * 127.0.0.1, plus runner-environment helpers. See README.md in this folder.
 */
export { startFakeGitHub, otherComments, faults, ROUTES, ACTIONS_BOT, FaultSpecError, TokenLeakError } from './server.js';
export type { FakeGitHub } from './server.js';
export {
  buildRunnerEnv,
  childEnv,
  decodeRuntimeToken,
  FileCommandParseError,
  inputEnvName,
  makeRuntimeToken,
  parseFileCommands,
  readFileCommands,
  RuntimeTokenError,
} from './runner-env.js';
export type { RunnerEnv, RunnerEnvOptions, RunnerFiles, RuntimeTokenClaims } from './runner-env.js';
export { MAX_COMMENT_CHARS, MAX_PULL_FILES } from './bodies.js';
export type * from './types.js';
