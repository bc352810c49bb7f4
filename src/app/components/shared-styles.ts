import { css } from 'lit';

/** Controls and cards shared by every component (Shadow DOM does not inherit page CSS). */
export const sharedStyles = css`
  :host {
    display: block;
    color: var(--fg);
  }
  button,
  select,
  input,
  label.button {
    font: inherit;
    color: inherit;
    border-radius: 6px;
    border: 1px solid var(--line);
    background: var(--card);
    padding: 0.45rem 0.8rem;
    min-height: 2.5rem;
  }
  /* A long option (a declared scope's note) must not widen its card past a narrow screen. */
  select {
    max-width: 100%;
  }
  button,
  label.button {
    cursor: pointer;
  }
  label.button {
    display: inline-flex;
    align-items: center;
  }
  button.primary {
    background: var(--accent);
    color: var(--accent-fg);
    border-color: var(--accent);
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 3px solid var(--focus);
    outline-offset: 2px;
  }
  .card {
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 10px;
    padding: 1rem;
  }
  .muted {
    color: var(--muted);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  h2 {
    font-size: 1.1rem;
    margin: 0 0 0.6rem;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** Tables of rows (the ledger, the sites allowed): full width, ruled, compact. */
export const tableStyles = css`
  table {
    width: 100%;
    border-collapse: collapse;
    font-size: 0.9rem;
  }
  th,
  td {
    text-align: left;
    padding: 0.3rem;
    border-bottom: 1px solid var(--line);
    vertical-align: top;
  }
`;
