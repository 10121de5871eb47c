// A form drawn from a script's JSON schema: one labelled control per argument.
import { field, h } from './ui.js';

const typeOf = (property) => (Array.isArray(property.type) ? property.type.find((t) => t !== 'null') : property.type) ?? 'object';

function control(name, property, isRequired) {
  const type = typeOf(property);
  const initial = property.default;
  if (Array.isArray(property.enum)) {
    const select = h('select', { name }, isRequired ? null : h('option', { value: '' }, '(not set)'),
      property.enum.map((value) => h('option', { value: String(value), selected: value === initial }, String(value))));
    return { element: select, read: () => (select.value === '' ? undefined : property.enum.find((v) => String(v) === select.value)) };
  }
  switch (type) {
    case 'boolean': {
      const box = h('input', { type: 'checkbox', name, checked: initial === true });
      return { element: box, read: () => box.checked };
    }
    case 'integer':
    case 'number': {
      const input = h('input', { type: 'number', name, step: type === 'integer' ? '1' : 'any', value: initial ?? '', required: isRequired });
      return {
        element: input,
        read: () => {
          if (input.value === '') return undefined;
          const value = Number(input.value);
          if (!Number.isFinite(value) || (type === 'integer' && !Number.isInteger(value))) throw new Error(`${name}: enter ${type === 'integer' ? 'a whole number' : 'a number'}`);
          return value;
        },
      };
    }
    case 'string': {
      const input = h('input', { type: 'text', name, value: initial ?? '', required: isRequired, autocomplete: 'off' });
      return { element: input, read: () => (input.value === '' && !isRequired && initial === undefined ? undefined : input.value) };
    }
    default:
      return jsonControl(name, initial === undefined ? '' : JSON.stringify(initial, null, 2), `${name}: `);
  }
}

function jsonControl(name, text, errorPrefix) {
  const area = h('textarea', { name, rows: '4', spellcheck: 'false', class: 'mono' });
  area.value = text;
  return {
    element: area,
    read: () => {
      if (area.value.trim() === '') return undefined;
      try {
        return JSON.parse(area.value);
      } catch (error) {
        throw new Error(`${errorPrefix}invalid JSON (${error.message})`);
      }
    },
  };
}

/** Returns `{ element, read }`; `read()` gives the args object, or throws an Error a person can read. */
export function schemaForm(schema) {
  const properties = Object.entries(schema?.properties ?? {});
  const required = new Set(schema?.required ?? []);
  if (properties.length === 0) {
    const free = jsonControl('args', '{}', 'Args: ');
    return {
      element: h('div', { class: 'fields' }, field('Args (a JSON object)', free.element, 'This script declares no arguments; it receives this object as it is.')),
      read: () => {
        const args = free.read() ?? {};
        if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new Error('Args: enter a JSON object, such as {"name": "Ada"}');
        return args;
      },
    };
  }

  const controls = properties.map(([name, property]) => {
    const isRequired = required.has(name);
    const made = control(name, property, isRequired);
    const hint = [property.description, typeOf(property), isRequired ? 'required' : property.default !== undefined ? `default ${JSON.stringify(property.default)}` : 'optional']
      .filter(Boolean).join(' · ');
    return { name, isRequired, ...made, element: field(name, made.element, hint) };
  });
  return {
    element: h('div', { class: 'fields' }, controls.map((c) => c.element)),
    read: () => {
      const args = {};
      for (const c of controls) {
        const value = c.read();
        if (value === undefined && c.isRequired) throw new Error(`${c.name} is required`);
        if (value !== undefined) args[c.name] = value;
      }
      return args;
    },
  };
}

/** Example args for snippets: each argument's default, or a placeholder of its type. */
export function exampleArgs(schema) {
  const args = {};
  for (const [name, property] of Object.entries(schema?.properties ?? {})) {
    const type = typeOf(property);
    args[name] = property.default ?? { string: 'text', integer: 1, number: 1, boolean: true, array: [] }[type] ?? {};
  }
  return args;
}
