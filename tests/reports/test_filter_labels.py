"""The filter bars of the dashboard and the table reports: every visible box has one
label, and the hidden ids behind the agency and area boxes have none (their label
showed once more, alone, beside the box of the same name)."""

import re

import pytest
from django.urls import reverse

PAGES = [
    reverse("home"),
    reverse("reports:term_summary"),
    reverse("reports:indicators"),
    reverse("reports:agency"),
]


def _filter_labels(body):
    form = re.search(r'<form method="get" class="filters".*?</form>', body, re.S).group(0)
    return [
        re.sub(r"<[^>]+>.*", "", label, flags=re.S).strip()
        for label in re.findall(r"<label[^>]*>(.*?)</label>", form, re.S)
    ]


@pytest.mark.parametrize("path", PAGES)
def test_each_filter_box_has_one_label_and_the_hidden_ids_none(client, admin_user, path):
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    labels = _filter_labels(body)
    assert labels, body
    assert len(labels) == len(set(labels)), labels
    form = re.search(r'<form method="get" class="filters".*?</form>', body, re.S).group(0)
    for hidden in re.findall(r'<input type="hidden"[^>]*>', form):
        assert not re.search(r"<label[^>]*>[^<]*" + re.escape(hidden), form), hidden
