"""Customer accounts: field errors, normalised domains, search, affected customers, CSV import."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from statuspage.audit.models import AuditEntry
from statuspage.components.services import create_component
from statuspage.customers import imports, queries
from statuspage.customers.models import Customer, CustomerDomain
from statuspage.customers.services import (
    CustomerInput,
    create_customer,
    delete_customer,
    update_customer,
)
from statuspage.errors import ValidationError
from statuspage.extensions import db


def customers() -> list[Customer]:
    return list(db.session.scalars(sa.select(Customer).order_by(Customer.name)))


def test_domains_are_kept_lower_case_without_at_and_found_from_any_address(app_ctx):
    api = create_component("API")
    acme = create_customer(
        CustomerInput(
            name="  Acme  ",
            external_id="CRM-1",
            domains=["@Acme.COM", "acme.de.", "ops@acme.io", "acme.com"],
            plan="Enterprise",
            language="pt-br",
            components=[api],
        ),
        actor="ada@example.com",
    )
    assert acme.name == "Acme"
    assert [d.domain for d in acme.domains] == ["acme.com", "acme.de", "acme.io"]
    assert acme.language == "pt_BR"
    # An address at the domain or any subdomain finds the customer; so do name and CRM id.
    assert [c.name for c in queries.search("Jane.Doe@ACME.com")] == ["Acme"]
    assert [c.name for c in queries.search("bob@eu.acme.de")] == ["Acme"]
    assert [c.name for c in queries.search("acme.io")] == ["Acme"]
    assert [c.name for c in queries.search("cm")] == ["Acme"]
    assert [c.name for c in queries.search("CRM-1")] == ["Acme"]
    assert queries.search("someone@else.com") == []
    assert queries.search("100%_") == []
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "customer.create")
    ).one()
    assert entry.actor_label == "ada@example.com"
    assert entry.after["domains"] == ["acme.com", "acme.de", "acme.io"]


def test_bad_input_names_every_field_and_writes_nothing(app_ctx):
    create_customer(CustomerInput(name="Acme", external_id="CRM-1", domains=["acme.com"]))
    with pytest.raises(ValidationError) as caught:
        create_customer(
            CustomerInput(
                name=" ",
                external_id="CRM-1",
                domains=["ACME.com"],
                language="not a language",
                plan="x" * 101,
            )
        )
    errors = caught.value.errors
    assert set(errors) == {"name", "external_id", "domains", "language", "plan"}
    assert "CRM-1 already belongs to Acme" in errors["external_id"]
    assert "acme.com already belongs to Acme" in errors["domains"]
    with pytest.raises(ValidationError) as caught:
        create_customer(CustomerInput(name="Bad", domains=["not a domain"]))
    assert "not a domain" in caught.value.errors["domains"]
    assert [c.name for c in customers()] == ["Acme"]
    assert db.session.scalar(sa.select(sa.func.count(CustomerDomain.id))) == 1


def test_update_moves_domains_and_delete_keeps_nothing(app_ctx):
    api, db_component = create_component("API"), create_component("Database")
    acme = create_customer(
        CustomerInput(name="Acme", domains=["acme.com", "acme.de"], components=[api])
    )
    other = create_customer(CustomerInput(name="Other", domains=["other.com"]))
    update_customer(
        acme,
        CustomerInput(name="Acme Inc", domains=["acme.de", "acme.fr"], components=[db_component]),
    )
    assert [d.domain for d in acme.domains] == ["acme.de", "acme.fr"]
    assert [c.name for c in acme.components] == ["Database"]
    # The freed domain may go to someone else; a taken one may not.
    update_customer(other, CustomerInput(name="Other", domains=["other.com", "acme.com"]))
    with pytest.raises(ValidationError, match="acme.de already belongs to Acme Inc"):
        update_customer(other, CustomerInput(name="Other", domains=["acme.de"]))
    delete_customer(acme)
    assert [c.name for c in customers()] == ["Other"]
    assert sorted(db.session.scalars(sa.select(CustomerDomain.domain))) == ["acme.com", "other.com"]


def test_affected_customers_are_those_using_any_affected_component(app_ctx):
    api, web, cdn = create_component("API"), create_component("Web"), create_component("CDN")
    create_customer(CustomerInput(name="Uses API", components=[api]))
    create_customer(CustomerInput(name="Uses both", components=[api, web]))
    create_customer(CustomerInput(name="Uses CDN", components=[cdn]))
    create_customer(CustomerInput(name="Uses nothing"))
    assert [c.name for c in queries.affected_customers([api.id, web.id])] == [
        "Uses API",
        "Uses both",
    ]
    assert queries.count_affected_customers([api.id, web.id]) == 2
    assert queries.affected_customers([]) == []


@pytest.fixture
def import_dir(app, tmp_path):
    app.config["CUSTOMER_IMPORT_DIR"] = str(tmp_path / "imports")


def test_import_reports_row_errors_in_a_dry_run_then_applies_only_valid_rows(app_ctx, import_dir):
    api = create_component("API")
    create_component("Web Dashboard")
    existing = create_customer(
        CustomerInput(name="Acme", external_id="CRM-1", domains=["acme.com"])
    )
    data = (
        b"name,external_id,domains,plan,language,components\n"
        b"Acme Corp,CRM-1,acme.com;acme.de,Gold,de,API\n"  # updates Acme by external id
        b"Globex,CRM-2,globex.com,Silver,,web dashboard|API\n"
        b",CRM-3,,,,\n"  # no name
        b"Initech,CRM-4,globex.com,,,\n"  # domain already on row 3
        b"Hooli,CRM-5,hooli.com,,,Billing\n"  # unknown component
        b"\n"
        b"Umbrella,,umbrella.com,,xx yy,\n"  # bad language
    )
    job = imports.check_file(data, "crm.csv", actor="ada@example.com")
    assert (job.total, job.new, job.updated, job.invalid) == (6, 1, 1, 4)
    assert [(e["row"], e["field"]) for e in job.errors] == [
        (4, "name"),
        (5, "domains"),
        (6, "components"),
        (8, "language"),
    ]
    assert "globex.com is already on row 3" in job.errors[1]["message"]
    assert "No component Billing" in job.errors[2]["message"]
    # The dry run changed nothing.
    assert [c.name for c in customers()] == ["Acme"]

    done = imports.run_import(imports.find_import(job.id), actor="ada@example.com")
    assert (done.created, done.changed, done.skipped, done.done) == (1, 1, 4, True)
    db.session.expire_all()
    acme, globex = customers()
    assert acme.public_id == existing.public_id
    assert (acme.name, acme.plan, acme.language) == ("Acme Corp", "Gold", "de")
    assert [d.domain for d in acme.domains] == ["acme.com", "acme.de"]
    assert [c.id for c in acme.components] == [api.id]
    assert sorted(c.name for c in globex.components) == ["API", "Web Dashboard"]
    # Running the same job again does nothing twice.
    assert imports.run_import(imports.find_import(job.id), actor="ada@example.com").created == 1
    assert len(customers()) == 2


def test_an_export_imports_back_unchanged_and_bad_files_are_refused(app_ctx, import_dir):
    from statuspage.customers import csvio

    api = create_component("API")
    create_customer(
        CustomerInput(name="=HYPERLINK(1)", domains=["acme.com"], components=[api], notes="VIP")
    )
    text = "".join(
        csvio.export_lines(
            [
                [
                    c.public_id,
                    c.name,
                    c.external_id or "",
                    ";".join(d.domain for d in c.domains),
                    c.plan,
                    c.language or "",
                    ";".join(x.name for x in c.components),
                    c.notes,
                ]
                for c in customers()
            ]
        )
    )
    assert "'=HYPERLINK(1)" in text  # a spreadsheet shows it as text
    job = imports.check_file(text.encode(), "export.csv", actor="a")
    assert (job.new, job.updated, job.unchanged, job.invalid) == (0, 0, 1, 0)
    with pytest.raises(ValidationError, match="Unknown column colour"):
        imports.check_file(b"name,colour\nAcme,red\n", "x.csv", actor="a")
    with pytest.raises(ValidationError, match="no customers"):
        imports.check_file(b"name\n", "x.csv", actor="a")
    with pytest.raises(ValidationError, match="not UTF-8"):
        imports.check_file("name\nMüller\n".encode("latin-1"), "x.csv", actor="a")
    job = imports.check_file(b"id,name\nnosuchid,Acme\n", "x.csv", actor="a")
    assert job.invalid == 1
    assert "No customer has the id nosuchid" in job.errors[0]["message"]
