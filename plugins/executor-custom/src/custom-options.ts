import type { InferOptions, OptionShape } from '@forge-core/sdk';

/** A dotted path into a JSON line: `usage.input_tokens`, `content.0.text` (a number indexes a list). */
const FIELD_PATH = { type: 'string', maxLength: 200, pattern: '^[A-Za-z0-9_$@-]+(\\.[A-Za-z0-9_$@-]+)*$' } as const;
/** A value of the line's type field that marks one kind of line. */
const TYPE_VALUE = { type: 'string', maxLength: 200 } as const;
/** How an environment variable may be named on any Unix: `OPENAI_API_KEY`, `http_proxy`. */
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What a profile of the `custom` executor says: which command to run, how to hand it the prompt,
 * and how to read what it prints. The JSON-lines fields are read only when `output` is `jsonl`;
 * README.md shows a complete mapping for a hypothetical CLI.
 */
export const customOptionShape = {
  command: {
    type: 'string',
    required: true,
    maxLength: 4096,
    // One word on purpose: a command line pasted here (`aider --yes`) is the commonest mistake, and its arguments belong in args.
    pattern: '^\\S+$',
    description:
      'The executable: a name looked up on PATH (aider), an absolute path, or a path relative to the worktree (./scripts/agent). Arguments go in args.',
  },
  args: {
    type: 'string[]',
    default: [],
    description:
      'The arguments. In each, {prompt} becomes the prompt (within one argument), {worktree} the worktree path and {mcpConfig} the path of a JSON file listing the run\'s MCP servers ({"mcpServers":{…}}).',
  },
  promptVia: {
    type: 'enum',
    values: ['stdin', 'argument'],
    default: 'stdin',
    description:
      'Where the prompt goes when the arguments hold no {prompt}: written to stdin, which is then closed, or appended as the last argument. With a {prompt} in the arguments, stdin is closed at once.',
  },
  output: {
    type: 'enum',
    values: ['text', 'jsonl', 'claude-stream-json'],
    default: 'text',
    description:
      "How to read stdout: text (paragraphs become messages), jsonl (one JSON object a line, read through the *Field and *Type options) or claude-stream-json (Claude Code's --output-format stream-json).",
  },
  resumeArgs: {
    type: 'string[]',
    description:
      'The arguments of a follow-up that continues the agent\'s session: args\'s placeholders plus {sessionId}. Without them a follow-up runs args afresh with the new prompt.',
  },
  sessionIdPattern: {
    type: 'string',
    maxLength: 500,
    description:
      'In text output: a regular expression tried on each stdout line; its first group (or the whole match) is the session id, which a follow-up hands to resumeArgs.',
  },
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: "Names of the server's environment variables handed to the agent as they are (an API key the server holds, a proxy setting).",
  },
  token: {
    type: 'secret',
    description: 'A credential for the agent (an API key), kept out of logs and the API; the run sets it in the environment variable named by tokenEnv.',
  },
  tokenEnv: {
    type: 'string',
    maxLength: 100,
    pattern: ENV_NAME_PATTERN.source,
    description: 'The environment variable the agent reads token from, such as OPENAI_API_KEY.',
  },
  timeoutMs: {
    type: 'number',
    integer: true,
    min: 100,
    max: 7 * 24 * 3_600_000,
    description: 'How long the run may take; when it is over, the run ends failed and the host stops the agent.',
  },
  typeField: { ...FIELD_PATH, description: 'jsonl: the field that says what a line is; the *Type options give its values. Without it, a line is known by the fields it holds.' },
  messageType: { ...TYPE_VALUE, description: 'jsonl: the typeField value of an assistant message (its text in textField).' },
  toolCallType: { ...TYPE_VALUE, description: 'jsonl: the typeField value of a tool call (toolNameField, toolInputField, toolCallIdField).' },
  toolResultType: { ...TYPE_VALUE, description: 'jsonl: the typeField value of a tool result (toolCallIdField, toolOutputField, errorField).' },
  resultType: { ...TYPE_VALUE, description: 'jsonl: the typeField value of the closing result (summaryField, errorField).' },
  textField: { ...FIELD_PATH, description: "jsonl: a message's text." },
  toolNameField: { ...FIELD_PATH, description: "jsonl: a tool call's tool name." },
  toolInputField: { ...FIELD_PATH, description: "jsonl: a tool call's input (any JSON)." },
  toolCallIdField: { ...FIELD_PATH, description: 'jsonl: the id that ties a tool result to its call.' },
  toolOutputField: { ...FIELD_PATH, description: "jsonl: a tool result's output." },
  sessionIdField: { ...FIELD_PATH, description: 'jsonl: the session id, read on every line.' },
  summaryField: { ...FIELD_PATH, description: "jsonl: the result's summary of the work (otherwise the last message)." },
  errorField: { ...FIELD_PATH, description: 'jsonl: on a result, an error that fails the run; on a tool result, marks it failed. A non-empty string or true.' },
  inputTokensField: { ...FIELD_PATH, description: 'jsonl: input tokens, read on every line.' },
  outputTokensField: { ...FIELD_PATH, description: 'jsonl: output tokens, read on every line.' },
  costField: { ...FIELD_PATH, description: 'jsonl: cost in US dollars, read on every line.' },
} as const satisfies OptionShape;

export type CustomOptions = InferOptions<typeof customOptionShape>;

/** The executor's settings on this server. */
export const customConfigShape = {
  passEnv: {
    type: 'string[]',
    default: [],
    maxItems: 50,
    description: "Names of the server's environment variables handed to every custom agent, on top of each profile's passEnv.",
  },
} as const satisfies OptionShape;
