/** Tool identity written into every report. Kept in sync with package.json by a test. */
export const TOOL_NAME = 'edgegate';
export const TOOL_VERSION = '0.1.0';
