"""A protocol's texts in the language of the person reading (criteria.translations):

- `{{ criterion|shown_label }}`, `{{ variable|shown_label }}`: the label in the active
  language, else the English one (records, rule objects or their JSON forms);
- `{{ variable|shown_help_text }}`, `{{ criterion|shown_note }}`: the help text and the
  note likewise;
- `{{ criterion.translations|translations_words }}`: every translation, for reviewing them
  (`|translations_words:"note"`: only the notes).
"""

from django import template

from criteria.translations import help_text_for, label_for, note_for, translations_in_words

register = template.Library()


@register.filter
def shown_label(item) -> str:
    return label_for(item)


@register.filter
def shown_help_text(item) -> str:
    return help_text_for(item)


@register.filter
def shown_note(item) -> str:
    return note_for(item)


@register.filter
def translations_words(translations, only: str = "") -> str:
    """Every translation, or with an argument ("label,note") just those texts."""
    return translations_in_words(translations, tuple(filter(None, only.split(","))))
