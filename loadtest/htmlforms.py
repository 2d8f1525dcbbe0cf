"""What a browser would post: the fields of the forms on a page.

The load test edits through the real pages, so it reads each form as the server
rendered it and posts it back with one field changed, the way a person would.
Standard library only: the locustfile and the tests import it.
"""

from html.parser import HTMLParser

# Inputs whose value is posted as it stands (checkboxes and radios only when checked;
# buttons only when clicked, which this module never does).
_VALUE_INPUTS = {
    "",
    "text",
    "hidden",
    "number",
    "date",
    "email",
    "password",
    "search",
    "tel",
    "url",
    "time",
    "datetime-local",
    "month",
    "week",
    "color",
    "range",
}


class Form:
    """One `<form>`: its attributes and the (name, value) pairs a browser posts."""

    def __init__(self, attrs):
        self.attrs = attrs
        self.fields = []

    def value(self, name, default=None):
        return next((value for key, value in self.fields if key == name), default)

    def names(self):
        return {name for name, _value in self.fields}

    def replace(self, name, value):
        """The fields with `name` set to `value` (added when the form lacks it)."""
        fields = [(key, old) for key, old in self.fields if key != name]
        fields.append((name, value))
        return fields


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.form = None
        self.template_depth = 0  # <template> content is inert: never submitted
        self.textarea = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value if value is not None else "" for key, value in attrs}
        if tag == "template":
            self.template_depth += 1
        if self.template_depth:
            return
        if tag == "form":
            self.form = Form(attrs)
            self.forms.append(self.form)
        elif self.form is None or "disabled" in attrs:
            return
        elif tag == "input":
            self._input(attrs)
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]
        elif tag == "select" and attrs.get("name"):
            self.select = {"name": attrs["name"], "multiple": "multiple" in attrs, "options": []}
        elif tag == "option" and self.select is not None:
            self.select["options"].append([attrs.get("value"), "selected" in attrs, ""])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data
        elif self.select is not None and self.select["options"]:
            self.select["options"][-1][2] += data

    def handle_endtag(self, tag):
        if tag == "template":
            self.template_depth = max(0, self.template_depth - 1)
        elif self.template_depth:
            return
        elif tag == "form":
            self.form = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # Browsers drop the newline that follows <textarea> (Django writes one).
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]
            self.form.fields.append((name, text))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            self._close_select()

    def _input(self, attrs):
        name = attrs.get("name")
        kind = attrs.get("type", "").lower()
        if not name:
            return
        if kind in ("checkbox", "radio"):
            if "checked" in attrs:
                self.form.fields.append((name, attrs.get("value", "on")))
        elif kind in _VALUE_INPUTS:
            self.form.fields.append((name, attrs.get("value", "")))

    def _close_select(self):
        select, self.select = self.select, None
        options = [
            (value if value is not None else text.strip(), selected)
            for value, selected, text in select["options"]
        ]
        chosen = [value for value, selected in options if selected]
        if not select["multiple"]:
            # A single select posts its last selected option, or else its first one.
            chosen = chosen[-1:] or [value for value, _selected in options[:1]]
        self.form.fields.extend((select["name"], value) for value in chosen)


def parse_forms(html):
    """Every form of `html`, in page order."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.forms


def find_form(html, field):
    """The first form that posts a field named `field`, or None."""
    return next((form for form in parse_forms(html) if field in form.names()), None)
