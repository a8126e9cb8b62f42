/** The one JSON body parser of fastify and the fast lane: secure-json-parse's answers, with its regexes skipped only where they cannot match. */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parseJson } from '../../../src/serving/json-body.js';

describe('the server\'s JSON body parser', () => {
  it('parses as fastify\'s secure-json-parse does, poisoned keys included', () => {
    const texts = [
      '{"instances":[{"a":1,"b":"x"}]}',
      '{"__proto__":{"x":1}}',
      '{"a":{"__proto__":{"x":1}}}',
      '{"\\u005f\\u005fproto__":{"x":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      '{"\\u0063onstructor":{"prototype":{"x":1}}}',
      '{"a":"constructor","b":"__proto__"}',
      '{"a":"\\u00e9"}',
      '\uFEFF{"a":1}',
      '{"a":',
      '[1,2]',
      '3',
    ];
    const secure = createRequire(createRequire(import.meta.url).resolve('fastify'))('secure-json-parse') as { parse: (text: string, reviver: undefined, options: object) => unknown };
    const outcome = (parse: () => unknown) => {
      try {
        return { value: parse() };
      } catch (err) {
        return { error: (err as Error).constructor.name };
      }
    };
    for (const text of texts) {
      expect(outcome(() => parseJson(text)), text).toEqual(outcome(() => secure.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' })));
    }
    expect(() => parseJson('{"__proto__":{}}')).toThrow();
  });
});
