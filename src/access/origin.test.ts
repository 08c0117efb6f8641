import { describe, expect, it } from 'vitest';
import { originVerdict, type OriginHeaders } from './origin.js';

const ALLOWED = ['https://ops.example.com'];

describe('originVerdict', () => {
  it.each<[OriginHeaders, string]>([
    [{ host: '127.0.0.1:8080' }, 'absent'],
    [{ origin: '', host: '127.0.0.1:8080' }, 'absent'],
    [{ origin: 'http://127.0.0.1:8080', host: '127.0.0.1:8080' }, 'same'],
    [{ origin: 'https://LOADWATCH.example:443', host: 'loadwatch.example' }, 'same'],
    [{ origin: 'http://127.0.0.1:8081', host: '127.0.0.1:8080' }, 'refused'],
    [{ origin: 'http://localhost', host: 'localhost:80' }, 'same'],
    [{ origin: 'https://localhost', host: 'localhost:80' }, 'refused'],
    [{ origin: 'http://localhost', host: 'local host' }, 'refused'],
    [{ origin: 'http://evil.example', host: 'evil.example@127.0.0.1:8080' }, 'refused'],
    [{ origin: 'http://evil.example', host: '127.0.0.1:8080' }, 'refused'],
    [{ origin: 'http://127.0.0.1:8080.evil.example', host: '127.0.0.1:8080' }, 'refused'],
    [{ origin: 'null', host: '127.0.0.1:8080' }, 'refused'],
    [{ origin: 'file://', host: '127.0.0.1:8080' }, 'refused'],
    [{ origin: 'https://ops.example.com', host: '127.0.0.1:8080' }, 'allowed'],
    [{ origin: 'http://ops.example.com', host: '127.0.0.1:8080' }, 'refused'],
    [{ referer: 'http://127.0.0.1:8080/#/alarms', host: '127.0.0.1:8080' }, 'same'],
    [{ referer: 'https://ops.example.com/board?x=1', host: 'lw:8080' }, 'allowed'],
    [{ referer: 'https://evil.example/', host: '127.0.0.1:8080' }, 'refused'],
    [{ origin: 'http://evil.example', referer: 'http://127.0.0.1:8080/', host: '127.0.0.1:8080' }, 'refused'],
    [{ origin: 'http://127.0.0.1:8080' }, 'refused'],
  ])('%j is %s', (headers, expected) => {
    expect(originVerdict(headers, ALLOWED)).toBe(expected);
  });
});
