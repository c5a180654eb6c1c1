// Shows the collector's validation errors at the field they name. The collector answers
// INVALID_ARGUMENT with messages like "alert rule 'x': window_s: must be in [60, 86400]" or
// "rubric 'x': composite.rubrics: no rubric 'y'"; the field part picks the form control.

// The field names in a validation message ("warn_below/alert_below" names two), or [].
export function fieldsOf(message) {
  const m = /^(?:alert rule|rubric) '[^']*': ([a-z0-9_./]+): /.exec(message || '');
  return m ? m[1].split('/') : [];
}

export function clear(form) {
  for (const n of form.querySelectorAll('.field-error')) n.remove();
  for (const n of form.querySelectorAll('[aria-invalid]')) {
    n.removeAttribute('aria-invalid');
    n.removeAttribute('aria-describedby');
  }
  const general = form.querySelector('.form-error');
  if (general) general.hidden = true;
}

// Puts `error` (an ApiError) next to the control of each field it names (`controlFor` maps a
// field name to a control or null); without one, in the form's general error line.
export function show(form, error, controlFor) {
  clear(form);
  const text = error.serverMessage || error.message;
  const controls = fieldsOf(text).map(controlFor).filter(Boolean);
  if (!controls.length) {
    const general = form.querySelector('.form-error');
    general.textContent = error.message;
    general.hidden = false;
    return;
  }
  controls.forEach((c, i) => {
    const id = `${c.id}-error`;
    const note = document.createElement('span');
    note.className = 'field-error';
    note.id = id;
    note.setAttribute('role', 'alert');
    note.textContent = text.replace(/^(?:alert rule|rubric) '[^']*': /, '');
    c.setAttribute('aria-invalid', 'true');
    c.setAttribute('aria-describedby', id);
    c.closest('label').append(note);
    if (i === 0) c.focus();
  });
}
