// What every flow shares: a client for the server given on the command line, and id shapes.
import OpenAI from 'openai';

export const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

export function client() {
  const base = process.argv[2];
  if (!base) {
    console.error('usage: node <flow>.mjs http://127.0.0.1:PORT');
    process.exit(2);
  }
  return new OpenAI({ baseURL: `${base}/v1`, apiKey: 'sk-test', maxRetries: 0 });
}

// Ids vary from run to run; their shape (prefix, then letters and digits) must not.
export function shape(id) {
  return id.replace(/^([a-z]+[_-])[A-Za-z0-9]{8,}$/, '$1<id>');
}

export function texts(messages) {
  return messages.map((m) => [m.role, m.content.map((c) => c.text?.value ?? c.type).join('')]);
}

export function report(summary) {
  console.log(JSON.stringify(summary));
}
