/**
 * The playground's last request as code a person can run: curl, Python and TypeScript with the
 * `openai` package. The key is never written out: each reads it from the CCAPI_KEY variable. A
 * continued conversation is named by the `x-conversation-id` header, which all three send alike.
 */

/** `request`: { baseUrl (…/v1), model, content, conversationId? }. */
export function codeSamples(request) {
  return [
    { language: "curl", label: "curl", code: curlSample(request) },
    { language: "python", label: "Python (openai)", code: pythonSample(request) },
    { language: "typescript", label: "TypeScript (openai)", code: typescriptSample(request) },
  ];
}

/** A string in single quotes for a POSIX shell: a quote inside closes, escapes and reopens. */
const shellQuoted = (text) => `'${text.replaceAll("'", `'\\''`)}'`;

function curlSample({ baseUrl, model, content, conversationId }) {
  const body = JSON.stringify({ model, stream: true, messages: [{ role: "user", content }] });
  return [
    `curl -N ${shellQuoted(`${baseUrl}/chat/completions`)} \\`,
    `  -H "Authorization: Bearer $CCAPI_KEY" \\`,
    `  -H 'content-type: application/json' \\`,
    ...(conversationId ? [`  -H ${shellQuoted(`x-conversation-id: ${conversationId}`)} \\`] : []),
    `  -d ${shellQuoted(body)}`,
  ].join("\n");
}

function pythonSample({ baseUrl, model, content, conversationId }) {
  // A JSON string is a valid Python string literal (same escapes).
  return [
    "import os",
    "from openai import OpenAI",
    "",
    `client = OpenAI(base_url=${JSON.stringify(baseUrl)}, api_key=os.environ["CCAPI_KEY"])`,
    "stream = client.chat.completions.create(",
    `    model=${JSON.stringify(model)},`,
    `    messages=[{"role": "user", "content": ${JSON.stringify(content)}}],`,
    "    stream=True,",
    ...(conversationId ? [`    extra_headers={"x-conversation-id": ${JSON.stringify(conversationId)}},`] : []),
    ")",
    "for chunk in stream:",
    "    if chunk.choices and chunk.choices[0].delta.content:",
    '        print(chunk.choices[0].delta.content, end="", flush=True)',
  ].join("\n");
}

function typescriptSample({ baseUrl, model, content, conversationId }) {
  return [
    'import OpenAI from "openai";',
    "",
    `const client = new OpenAI({ baseURL: ${JSON.stringify(baseUrl)}, apiKey: process.env.CCAPI_KEY });`,
    "const stream = await client.chat.completions.create(",
    `  { model: ${JSON.stringify(model)}, messages: [{ role: "user", content: ${JSON.stringify(content)} }], stream: true },`,
    ...(conversationId ? [`  { headers: { "x-conversation-id": ${JSON.stringify(conversationId)} } },`] : []),
    ");",
    'for await (const chunk of stream) process.stdout.write(chunk.choices[0]?.delta.content ?? "");',
  ].join("\n");
}
