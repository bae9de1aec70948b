// A client of an OpenAI-compatible chat-completions endpoint with tool
// calling. Written over fetch rather than a vendor SDK on purpose: it calls
// one endpoint with the documented subset (messages, tools, tool_calls) that
// compatible servers (OpenAI, vLLM, Ollama, llama.cpp) share, and it must
// control exactly where the key goes — read from its secret for each request,
// sent only in the Authorization header, never logged or stored.

import { readFile } from 'node:fs/promises';
import { TributaryError } from '@tributary/core';
import type { AgentsConfig } from './model.js';

export type ProviderConfig = AgentsConfig['providers'][number];

export interface ChatToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: JSON text, possibly invalid. */
  arguments: string;
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: WireToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatFunction {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ChatReply {
  content: string;
  toolCalls: ChatToolCall[];
  /** The assistant message to send back in the next request. */
  message: ChatMessage;
}

/** The providers a tenant may use, by name. */
export class ProviderDirectory {
  constructor(
    private readonly providers: readonly ProviderConfig[],
    private readonly defaultTenant: string,
  ) {}

  names(tenant: string): string[] {
    return this.providers.filter((p) => (p.tenant ?? this.defaultTenant) === tenant).map((p) => p.name);
  }

  client(tenant: string, name: string): ChatProvider {
    const config = this.providers.find((p) => p.name === name && (p.tenant ?? this.defaultTenant) === tenant);
    if (!config) throw TributaryError.unavailable(`model provider ${name} is no longer configured`);
    return new ChatProvider(config);
  }
}

async function secretOf(config: ProviderConfig): Promise<string | undefined> {
  if (config.api_key_env) {
    const value = process.env[config.api_key_env];
    if (!value) throw TributaryError.unavailable(`model provider ${config.name}: its key is not set`);
    return value.trim();
  }
  if (config.api_key_file) {
    try {
      return (await readFile(config.api_key_file, 'utf8')).trim();
    } catch {
      throw TributaryError.unavailable(`model provider ${config.name}: its key file cannot be read`);
    }
  }
  return undefined;
}

function parseReply(body: unknown, provider: string): ChatReply {
  const message = (body as { choices?: { message?: Record<string, unknown> }[] })?.choices?.[0]?.message;
  if (!message || typeof message !== 'object') {
    throw TributaryError.unavailable(`model provider ${provider} answered without a message`);
  }
  const content = typeof message.content === 'string' ? message.content : '';
  const wire = Array.isArray(message.tool_calls) ? (message.tool_calls as WireToolCall[]) : [];
  const toolCalls = wire
    .filter((c) => c && typeof c === 'object' && typeof c.function?.name === 'string')
    .map((c, i) => ({
      id: typeof c.id === 'string' && c.id ? c.id : `call_${i}`,
      name: c.function.name,
      arguments: typeof c.function.arguments === 'string' ? c.function.arguments : '{}',
    }));
  return {
    content,
    toolCalls,
    message: {
      role: 'assistant',
      content: content || null,
      ...(toolCalls.length > 0
        ? {
            tool_calls: toolCalls.map((c) => ({
              id: c.id,
              type: 'function' as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          }
        : {}),
    },
  };
}

export class ChatProvider {
  constructor(private readonly config: ProviderConfig) {}

  get name(): string {
    return this.config.name;
  }

  async complete(
    messages: ChatMessage[],
    functions: ChatFunction[],
    signal: AbortSignal,
  ): Promise<ChatReply> {
    const key = await secretOf(this.config);
    const url = `${this.config.url.replace(/\/+$/, '')}/chat/completions`;
    const body = {
      model: this.config.model,
      messages,
      ...(functions.length > 0
        ? { tools: functions.map((f) => ({ type: 'function', function: f })), tool_choice: 'auto' }
        : {}),
    };
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.config.timeout_ms)]),
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const timedOut = (error as Error).name === 'TimeoutError';
      throw timedOut
        ? new TributaryError('DEADLINE_EXCEEDED', `model provider ${this.config.name} did not answer in time`)
        : TributaryError.unavailable(`model provider ${this.config.name} cannot be reached`);
    }
    if (!response.ok) {
      // The body may echo the request; only the status is reported.
      await response.body?.cancel();
      throw TributaryError.unavailable(`model provider ${this.config.name} answered HTTP ${response.status}`);
    }
    let parsed: unknown;
    try {
      parsed = await response.json();
    } catch {
      throw TributaryError.unavailable(`model provider ${this.config.name} answered with invalid JSON`);
    }
    return parseReply(parsed, this.config.name);
  }
}
