"""The registry contract: the same tests for the embedded backend (SQLite, PostgreSQL) and for
the HTTP client against the reference server."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest

from backend_client import (
    ApplicationDraft,
    ApplicationKind,
    ApplicationStatus,
    BusinessCategory,
    BusinessRecord,
    CertificateStatus,
    ComplaintCategory,
    ComplaintDraft,
    ComplaintStatus,
    Conflict,
    EvidenceItem,
    Identifier,
    IdentifierKind,
    MatchKind,
    NotFound,
    PaymentMethod,
    RegistryBackend,
    SubjectType,
    ValidationError,
    Verdict,
)
from registry.clock import add_years, today
from tests.backend.conftest import Registry
from tests.backend.support import (
    PNG,
    certified_shop,
    complete_draft,
    new_owner,
    new_phone,
    new_shop,
    screenshot,
    token,
)


async def feed_head(bot: RegistryBackend) -> int:
    """The cursor after the newest status change."""
    cursor = 0
    while True:
        page = await bot.status_changes_since(cursor, limit=500)
        if not page.changes:
            return cursor
        cursor = page.cursor


def _khmer_digits(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))


# Shop lookup


async def test_one_shop_whatever_way_its_page_or_phone_is_written(registry: Registry) -> None:
    _, shop, _, certificate_id = await certified_shop(registry.bot, registry.officer)
    page = f"sokha.fashion.{shop.tag}"
    national = shop.phone_e164.removeprefix("+855")
    spellings = [
        f"facebook.com/{page}",
        f"https://m.facebook.com/{page}/",
        f"fb.com/{page}/",
        f"https://www.facebook.com/{page}?ref=bookmarks",
        f"https://web.facebook.com/{page.upper()}",
        shop.phone,
        f"+855 {national[:2]} {national[2:5]} {national[5:]}",
        f"855-{national[:2]}-{national[2:5]}-{national[5:]}",
        _khmer_digits(shop.phone),
        f"t.me/sokha_{shop.tag}",
        f"@SOKHA_{shop.tag}",
        certificate_id.lower(),
    ]
    found = {}
    for spelling in spellings:
        matches = await registry.bot.find_shops(spelling)
        assert len(matches) == 1, spelling
        found[spelling] = matches[0]
    assert {m.shop.business_id for m in found.values()} == {found[spellings[0]].shop.business_id}
    first = found[spellings[0]]
    assert first.shop.name == shop.name
    assert first.shop.verdict is Verdict.CERTIFIED
    assert first.matched_by is MatchKind.IDENTIFIER
    assert first.identifier_covered is True
    assert first.shop.certificate is not None
    assert first.shop.certificate.certificate_id == certificate_id
    assert found[shop.phone].matched_identifier == Identifier(
        IdentifierKind.PHONE, shop.phone_e164, shop.phone_e164
    )
    assert found[certificate_id.lower()].matched_by is MatchKind.CERTIFICATE_ID


async def test_certificate_facts_in_a_verdict(registry: Registry) -> None:
    _, shop, _, certificate_id = await certified_shop(registry.bot, registry.officer)
    (match,) = await registry.bot.find_shops(shop.telegram)
    certificate = match.shop.certificate
    assert certificate is not None
    assert certificate.certificate_id == certificate_id
    assert certificate.status is CertificateStatus.VALID
    assert certificate.issued_on == today()
    assert certificate.valid_until == add_years(today(), 2) - timedelta(days=1)
    covered = {(i.kind, i.value) for i in certificate.covered_identifiers}
    assert covered == {
        (IdentifierKind.FACEBOOK, f"sokhafashion{shop.tag}"),
        (IdentifierKind.TELEGRAM, f"sokha_{shop.tag}"),
        (IdentifierKind.PHONE, shop.phone_e164),
    }
    assert (match.shop.open_complaints, match.shop.verified_complaints) == (0, 0)
    assert match.shop.blacklisted is False
    assert match.shop.category is BusinessCategory.SOLE_PROPRIETORSHIP


async def test_fuzzy_name_search_in_latin_and_khmer(registry: Registry) -> None:
    tag = token()
    report = await registry.officer.import_businesses(
        [
            BusinessRecord(
                registration_no=f"EC-{tag}",
                name=f"Bopha Angkor Silk {tag}",
                name_km=f"បុប្ផា អង្គរ សូត្រ {tag}",
                category=BusinessCategory.LEGAL_PERSON,
            )
        ],
        officer="dara",
    )
    assert (report.created, report.errors) == (1, ())
    for query in (
        f"Bopha Angkor Silk {tag}",
        f"bopha angkr silk {tag}",  # a typo
        f"BOPHA-ANGKOR {tag}",
        f"បុប្ផា អង្គរ {tag}",
    ):
        matches = await registry.bot.find_shops(query)
        assert matches, query
        assert matches[0].shop.registration_no == f"EC-{tag}".upper(), query
        assert matches[0].matched_by is MatchKind.NAME
    (imported,) = await registry.bot.find_shops(f"EC-{tag}")
    assert imported.matched_by is MatchKind.REGISTRATION_NO
    assert imported.shop.verdict is Verdict.REGISTERED_NOT_CERTIFIED
    assert imported.shop.basic_phase_eligible is True


async def test_unknown_shop_finds_nothing(registry: Registry) -> None:
    assert await registry.bot.find_shops(f"https://facebook.com/nobody.{token()}") == ()
    assert await registry.bot.find_shops(new_phone()[0]) == ()


async def test_empty_search_is_a_validation_error(registry: Registry) -> None:
    with pytest.raises(ValidationError):
        await registry.bot.find_shops("   ")


# Applications


async def test_application_lifecycle_with_history(registry: Registry) -> None:
    bot, officer = registry.bot, registry.officer
    owner, shop = new_owner(), new_shop()
    cursor = await feed_head(bot)
    draft = await bot.create_application(
        owner, ApplicationDraft(business_name=shop.name), fee_quoted=Decimal("100")
    )
    assert draft.application_id.startswith(f"APP-{today().year}-")
    assert draft.status is ApplicationStatus.DRAFT
    assert draft.fee_quoted == Decimal("100.00")
    assert draft.owner == owner

    with pytest.raises(ValidationError) as incomplete:
        await bot.submit_application(owner, draft.application_id)
    assert {"category", "address", "identifiers", "code_of_conduct_declared", "criterion_1"} <= set(
        incomplete.value.fields
    )

    updated = await bot.update_application(owner, draft.application_id, complete_draft(shop))
    assert updated.phone == shop.phone_e164
    assert {i.kind for i in updated.identifiers} == {
        IdentifierKind.FACEBOOK,
        IdentifierKind.TELEGRAM,
    }
    assert updated.answers["criterion_9"] == "https://shop.example/policy/9"
    with pytest.raises(ValidationError) as still:
        await bot.submit_application(owner, draft.application_id)
    assert still.value.fields == ("criterion_1",)

    stored = await bot.attach_evidence(owner, draft.application_id, screenshot(1))
    assert (stored.criterion, stored.size, stored.filename) == (1, len(PNG), "storefront.png")
    submitted = await bot.submit_application(owner, draft.application_id)
    assert submitted.status is ApplicationStatus.SUBMITTED
    assert submitted.submitted_at is not None

    with pytest.raises(Conflict):
        await bot.update_application(owner, draft.application_id, ApplicationDraft(address="x"))

    await officer.start_review(draft.application_id, officer="dara")
    sent_back = await officer.request_more_information(
        draft.application_id, officer="dara", note="Add your refund policy page"
    )
    assert sent_back.status is ApplicationStatus.MORE_INFO_REQUESTED
    assert sent_back.decision_note == "Add your refund policy page"
    await bot.update_application(
        owner, draft.application_id, ApplicationDraft(answers={"criterion_8": "https://x/refund"})
    )
    await bot.submit_application(owner, draft.application_id)
    approved = await officer.approve_application(draft.application_id, officer="dara")
    assert approved.status is ApplicationStatus.APPROVED
    assert approved.certificate_id is not None

    seen = await bot.get_application(owner, draft.application_id)
    assert [(h.old_status, h.new_status) for h in seen.history] == [
        (None, "draft"),
        ("draft", "submitted"),
        ("submitted", "under_review"),
        ("under_review", "more_info_requested"),
        ("more_info_requested", "submitted"),
        ("submitted", "approved"),
    ]
    assert seen.history[0].actor == f"{owner.channel}:{owner.user_id}"
    assert seen.history[2].actor == "officer:dara"
    assert seen.evidence == (stored,)

    page = await bot.status_changes_since(cursor, limit=500)
    mine = [c for c in page.changes if c.owner == owner]
    assert [(c.subject_type, c.new_status) for c in mine] == [
        (SubjectType.APPLICATION, "draft"),
        (SubjectType.APPLICATION, "submitted"),
        (SubjectType.APPLICATION, "under_review"),
        (SubjectType.APPLICATION, "more_info_requested"),
        (SubjectType.APPLICATION, "submitted"),
        (SubjectType.CERTIFICATE, "valid"),
        (SubjectType.APPLICATION, "approved"),
    ]
    assert mine[3].note == "Add your refund policy page"
    assert all(
        a.change_id < b.change_id for a, b in zip(page.changes, page.changes[1:], strict=False)
    )
    later = await bot.status_changes_since(page.cursor, limit=500)
    assert not {c.change_id for c in later.changes} & {c.change_id for c in page.changes}


async def test_rejection_carries_the_reason(registry: Registry) -> None:
    owner, shop = new_owner(), new_shop()
    application = await registry.bot.create_application(
        owner, complete_draft(shop), fee_quoted=Decimal("50")
    )
    await registry.bot.attach_evidence(owner, application.application_id, screenshot(1))
    await registry.bot.submit_application(owner, application.application_id)
    rejected = await registry.officer.reject_application(
        application.application_id, officer="dara", reason="No business registration"
    )
    seen = await registry.bot.get_application(owner, application.application_id)
    assert seen.status is ApplicationStatus.REJECTED == rejected.status
    assert seen.decision_note == "No business registration"
    assert seen.history[-1].note == "No business registration"
    assert await registry.bot.find_shops(shop.facebook) == ()
    with pytest.raises(Conflict):
        await registry.officer.approve_application(application.application_id, officer="dara")


async def test_officer_cannot_approve_a_draft(registry: Registry) -> None:
    owner = new_owner()
    draft = await registry.bot.create_application(owner, ApplicationDraft(business_name="x"))
    with pytest.raises(Conflict):
        await registry.officer.approve_application(draft.application_id, officer="dara")
    assert (await registry.bot.get_application(owner, draft.application_id)).status is (
        ApplicationStatus.DRAFT
    )


async def test_unreadable_identifier_is_refused(registry: Registry) -> None:
    with pytest.raises(ValidationError) as refused:
        await registry.bot.create_application(
            new_owner(), ApplicationDraft(identifiers=("my shop on facebook",))
        )
    assert refused.value.fields == ("identifiers",)


async def test_evidence_bytes_come_back_only_to_their_owner(registry: Registry) -> None:
    owner, stranger = new_owner(), new_owner()
    application = await registry.bot.create_application(owner, ApplicationDraft())
    pdf = EvidenceItem("privacy policy.pdf", "application/pdf", b"%PDF-1.7 ...", document="d")
    stored = await registry.bot.attach_evidence(owner, application.application_id, pdf)
    assert (stored.document, stored.criterion, stored.mime_type) == ("d", None, "application/pdf")
    assert await registry.bot.get_evidence(owner, stored.evidence_id) == pdf
    with pytest.raises(NotFound):
        await registry.bot.get_evidence(stranger, stored.evidence_id)
    with pytest.raises(NotFound):
        await registry.bot.attach_evidence(stranger, application.application_id, screenshot(2))


@pytest.mark.parametrize(
    ("criterion", "document"), [(10, None), (0, None), (None, "h"), (1, "a"), (None, None)]
)
async def test_evidence_needs_one_criterion_or_document(
    registry: Registry, criterion: int | None, document: str | None
) -> None:
    owner = new_owner()
    application = await registry.bot.create_application(owner, ApplicationDraft())
    with pytest.raises(ValidationError):
        await registry.bot.attach_evidence(
            owner, application.application_id, screenshot(criterion, document)
        )
    assert (await registry.bot.get_application(owner, application.application_id)).evidence == ()


async def test_no_one_reads_another_users_application(registry: Registry) -> None:
    owner, stranger = new_owner(), new_owner()
    application = await registry.bot.create_application(owner, complete_draft(new_shop()))
    app_id = application.application_id
    with pytest.raises(NotFound):
        await registry.bot.get_application(stranger, app_id)
    with pytest.raises(NotFound):
        await registry.bot.get_application((owner.channel + "x", owner.user_id), app_id)
    with pytest.raises(NotFound):
        await registry.bot.update_application(stranger, app_id, ApplicationDraft(address="mine"))
    with pytest.raises(NotFound):
        await registry.bot.submit_application(stranger, app_id)
    assert await registry.bot.list_applications(stranger) == ()
    assert [a.application_id for a in await registry.bot.list_applications(owner)] == [app_id]
    assert (await registry.bot.get_application(owner, app_id)).address == "#12, St. 271, Phnom Penh"


async def test_a_retried_create_makes_one_application(registry: Registry) -> None:
    owner, shop = new_owner(), new_shop()
    key = token()
    first = await registry.bot.create_application(
        owner, complete_draft(shop), fee_quoted=Decimal("100"), idempotency_key=key
    )
    again = await registry.bot.create_application(
        owner, complete_draft(shop), fee_quoted=Decimal("100"), idempotency_key=key
    )
    assert again.application_id == first.application_id
    assert len(await registry.bot.list_applications(owner)) == 1
    with pytest.raises(Conflict):
        await registry.bot.create_application(
            owner, complete_draft(shop), fee_quoted=Decimal("200"), idempotency_key=key
        )
    # the same key from another user is another request
    other = await registry.bot.create_application(
        new_owner(), complete_draft(shop), fee_quoted=Decimal("100"), idempotency_key=key
    )
    assert other.application_id != first.application_id


async def test_a_retried_evidence_upload_stores_one_file(registry: Registry) -> None:
    owner = new_owner()
    application = await registry.bot.create_application(owner, ApplicationDraft())
    key = token()
    first = await registry.bot.attach_evidence(
        owner, application.application_id, screenshot(4), idempotency_key=key
    )
    again = await registry.bot.attach_evidence(
        owner, application.application_id, screenshot(4), idempotency_key=key
    )
    assert again == first
    assert (
        len((await registry.bot.get_application(owner, application.application_id)).evidence) == 1
    )


# Certificates


async def test_suspend_reinstate_and_revoke_show_in_verdicts(registry: Registry) -> None:
    bot, officer = registry.bot, registry.officer
    owner, shop, _, certificate_id = await certified_shop(bot, officer)
    cursor = await feed_head(bot)
    until = today() + timedelta(days=30)
    suspended = await officer.suspend_certificate(
        certificate_id, until=until, officer="dara", reason="refund complaints"
    )
    assert (suspended.status, suspended.suspended_until) == (CertificateStatus.SUSPENDED, until)
    (match,) = await bot.find_shops(shop.facebook)
    assert match.shop.verdict is Verdict.SUSPENDED
    assert match.shop.certificate is not None
    assert match.shop.certificate.status_reason == "refund complaints"

    await officer.reinstate_certificate(certificate_id, officer="dara", note="fixed")
    (match,) = await bot.find_shops(shop.facebook)
    assert match.shop.verdict is Verdict.CERTIFIED

    revoked = await officer.revoke_certificate(certificate_id, officer="dara", reason="fraud")
    assert (revoked.status, revoked.revoked_on) == (CertificateStatus.REVOKED, today())
    (match,) = await bot.find_shops(shop.phone)
    assert match.shop.verdict is Verdict.REVOKED
    with pytest.raises(Conflict):
        await officer.suspend_certificate(certificate_id, until=until, officer="dara", reason="x")

    changes = [
        c
        for c in (await bot.status_changes_since(cursor, limit=500)).changes
        if c.subject_id == certificate_id
    ]
    assert [(c.old_status, c.new_status) for c in changes] == [
        ("valid", "suspended"),
        ("suspended", "valid"),
        ("valid", "revoked"),
    ]
    assert {c.owner for c in changes} == {owner}


async def test_renewal_extends_the_same_certificate(registry: Registry) -> None:
    bot, officer = registry.bot, registry.officer
    owner, shop, _, certificate_id = await certified_shop(bot, officer)
    before = await officer.get_certificate(certificate_id)
    renewal = await bot.start_renewal(owner, certificate_id, fee_quoted=Decimal("75"))
    assert renewal.kind is ApplicationKind.RENEWAL
    assert renewal.renewal_of == certificate_id
    assert renewal.business_name == shop.name
    assert renewal.code_of_conduct_declared is False
    assert renewal.answers["criterion_2"] == "https://shop.example/policy/2"
    assert (await bot.start_renewal(owner, certificate_id)).application_id == (
        renewal.application_id
    )
    with pytest.raises(ValidationError) as missing:
        await bot.submit_application(owner, renewal.application_id)
    assert missing.value.fields == ("code_of_conduct_declared",)
    await bot.update_application(
        owner,
        renewal.application_id,
        ApplicationDraft(code_of_conduct_declared=True, answers={"changes": "new phone"}),
    )
    await bot.submit_application(owner, renewal.application_id)
    approved = await officer.approve_application(renewal.application_id, officer="dara")
    assert approved.certificate_id == certificate_id
    after = await officer.get_certificate(certificate_id)
    assert after.valid_until == add_years(before.valid_until, 2)
    assert after.renewal_count == 1
    assert after.status is CertificateStatus.VALID


async def test_no_one_renews_another_users_certificate(registry: Registry) -> None:
    _, _, _, certificate_id = await certified_shop(registry.bot, registry.officer)
    with pytest.raises(NotFound):
        await registry.bot.start_renewal(new_owner(), certificate_id)


# Complaints


async def test_complaint_about_a_certified_shop_counts_in_its_verdict(registry: Registry) -> None:
    bot, officer = registry.bot, registry.officer
    _, shop, _, _ = await certified_shop(bot, officer)
    consumer = new_owner("messenger")
    complaint = await bot.file_complaint(
        consumer,
        ComplaintDraft(
            shop_reference=_khmer_digits(shop.phone),
            category=ComplaintCategory.NON_DELIVERY,
            description="Paid 25 USD by KHQR, nothing arrived after 3 weeks",
            amount=Decimal("25"),
            payment_method=PaymentMethod.BAKONG_KHQR,
            evidence=(EvidenceItem("receipt.jpg", "image/jpeg", b"\xff\xd8receipt"),),
        ),
    )
    assert complaint.complaint_id.startswith(f"CMP-{today().year}-")
    assert (complaint.shop_name, complaint.status) == (shop.name, ComplaintStatus.RECEIVED)
    assert complaint.shop_identifier == Identifier(IdentifierKind.PHONE, shop.phone_e164)
    assert complaint.amount == Decimal("25.00")
    assert [e.filename for e in complaint.evidence] == ["receipt.jpg"]
    (match,) = await bot.find_shops(shop.facebook)
    assert (match.shop.open_complaints, match.shop.verified_complaints) == (1, 0)

    await officer.update_complaint_status(
        complaint.complaint_id,
        ComplaintStatus.FORWARDED_TO_BUSINESS,
        officer="sophea",
        note="Forwarded to the shop for a reply within 7 days",
    )
    (match,) = await bot.find_shops(shop.facebook)
    assert (match.shop.open_complaints, match.shop.verified_complaints) == (1, 1)
    await officer.update_complaint_status(
        complaint.complaint_id, ComplaintStatus.RESOLVED, officer="sophea", note="Refunded"
    )
    (match,) = await bot.find_shops(shop.facebook)
    assert (match.shop.open_complaints, match.shop.verified_complaints) == (0, 1)
    seen = await bot.get_complaint(consumer, complaint.complaint_id)
    assert [(h.new_status, h.note) for h in seen.history] == [
        ("received", None),
        ("forwarded_to_business", "Forwarded to the shop for a reply within 7 days"),
        ("resolved", "Refunded"),
    ]
    with pytest.raises(Conflict):
        await officer.update_complaint_status(
            complaint.complaint_id, ComplaintStatus.UNDER_REVIEW, officer="sophea"
        )


async def test_complaint_about_an_unregistered_shop(registry: Registry) -> None:
    consumer = new_owner()
    tag = token()
    complaint = await registry.bot.file_complaint(
        consumer,
        ComplaintDraft(
            shop_reference=f"https://m.facebook.com/cheap.phones.{tag}/",
            category=ComplaintCategory.FRAUD,
            description="Fake iPhone",
            anonymous=True,
        ),
    )
    assert complaint.registration_no is None and complaint.shop_name is None
    assert complaint.shop_identifier == Identifier(IdentifierKind.FACEBOOK, f"cheapphones{tag}")
    assert complaint.anonymous is True
    assert [c.complaint_id for c in await registry.bot.list_complaints(consumer)] == [
        complaint.complaint_id
    ]


async def test_no_one_reads_another_users_complaint(registry: Registry) -> None:
    consumer, stranger = new_owner(), new_owner()
    complaint = await registry.bot.file_complaint(
        consumer,
        ComplaintDraft(
            shop_reference="@someshop",
            category=ComplaintCategory.OTHER,
            description="rude",
            evidence=(EvidenceItem("chat.png", "image/png", PNG),),
        ),
    )
    with pytest.raises(NotFound):
        await registry.bot.get_complaint(stranger, complaint.complaint_id)
    with pytest.raises(NotFound):
        await registry.bot.get_evidence(stranger, complaint.evidence[0].evidence_id)
    assert await registry.bot.list_complaints(stranger) == ()
    assert (
        await registry.bot.get_complaint(consumer, complaint.complaint_id)
    ).description == "rude"


async def test_a_retried_complaint_is_filed_once(registry: Registry) -> None:
    consumer, key = new_owner(), token()
    draft = ComplaintDraft("@someshop", ComplaintCategory.DEFECTIVE, "broken on arrival")
    first = await registry.bot.file_complaint(consumer, draft, idempotency_key=key)
    again = await registry.bot.file_complaint(consumer, draft, idempotency_key=key)
    assert again.complaint_id == first.complaint_id
    assert len(await registry.bot.list_complaints(consumer)) == 1


async def test_complaint_without_description_is_refused(registry: Registry) -> None:
    with pytest.raises(ValidationError) as refused:
        await registry.bot.file_complaint(
            new_owner(), ComplaintDraft("@shop", ComplaintCategory.OTHER, "  ")
        )
    assert refused.value.fields == ("description",)


# Blacklist, warnings, import


async def test_blacklisting_an_unknown_page_makes_it_blacklisted(registry: Registry) -> None:
    tag = token()
    verdict = await registry.officer.blacklist_shop(
        f"https://www.facebook.com/fake.trustmark.{tag}",
        officer="dara",
        reason="shows the CETS mark without a certificate",
        name=f"Fake Deals {tag}",
    )
    assert verdict.blacklisted is True
    (match,) = await registry.bot.find_shops(f"fb.com/faketrustmark{tag}")
    assert match.shop.verdict is Verdict.BLACKLISTED
    assert match.shop.blacklist_reason == "shows the CETS mark without a certificate"
    assert match.shop.name == f"Fake Deals {tag}"


async def test_blacklist_wins_over_a_valid_certificate(registry: Registry) -> None:
    _, shop, _, _ = await certified_shop(registry.bot, registry.officer)
    await registry.officer.warn_business(shop.telegram, officer="dara", note="logo on packaging")
    await registry.officer.blacklist_shop(shop.telegram, officer="dara", reason="misuse of mark")
    (match,) = await registry.bot.find_shops(shop.facebook)
    assert match.shop.verdict is Verdict.BLACKLISTED
    assert match.shop.certificate is not None
    assert match.shop.warnings == 1


async def test_reimport_updates_and_reports_bad_cells(registry: Registry) -> None:
    tag = token()
    phone, e164 = new_phone()
    record = BusinessRecord(
        registration_no=f"ec-{tag}",
        name=f"Kampot Pepper {tag}",
        identifiers=(
            Identifier(IdentifierKind.PHONE, phone, phone),
            Identifier(IdentifierKind.FACEBOOK, "not a page!", "not a page!"),
        ),
    )
    first = await registry.officer.import_businesses([record], officer="dara")
    assert (first.created, first.updated, len(first.errors)) == (1, 0, 1)
    assert "not a page!" in first.errors[0]
    renamed = BusinessRecord(
        registration_no=f"EC-{tag}",
        name=f"Kampot Pepper Online {tag}",
        name_km="ម្រេចកំពត",
        identifiers=(Identifier(IdentifierKind.PHONE, phone, phone),),
    )
    second = await registry.officer.import_businesses([renamed], officer="dara")
    assert (second.created, second.updated, second.errors) == (0, 1, ())
    (match,) = await registry.bot.find_shops(phone)
    assert (match.shop.name, match.shop.name_km) == (f"Kampot Pepper Online {tag}", "ម្រេចកំពត")
    assert [i.value for i in match.shop.identifiers] == [e164]


async def test_a_link_or_phone_is_never_matched_as_a_name(registry: Registry) -> None:
    tag = token()
    await registry.officer.blacklist_shop(
        f"facebook.com/lookalike.{tag}", officer="dara", reason="fake", name=""
    )
    (listed,) = await registry.bot.find_shops(f"facebook.com/lookalike.{tag}")
    assert listed.shop.name == f"facebook:lookalike{tag}"
    assert await registry.bot.find_shops(f"https://facebook.com/lookalike.{tag}.not") == ()


async def test_concurrent_retries_with_one_key_make_one_application(registry: Registry) -> None:
    owner, shop, key = new_owner(), new_shop(), token()
    results = await asyncio.gather(
        *(
            registry.bot.create_application(owner, complete_draft(shop), idempotency_key=key)
            for _ in range(5)
        )
    )
    assert len({a.application_id for a in results}) == 1
    assert len(await registry.bot.list_applications(owner)) == 1


async def test_concurrent_applications_get_distinct_numbers(registry: Registry) -> None:
    owners = [new_owner() for _ in range(8)]
    results = await asyncio.gather(
        *(registry.bot.create_application(o, ApplicationDraft(business_name="x")) for o in owners)
    )
    assert len({a.application_id for a in results}) == 8
    for owner, application in zip(owners, results, strict=True):
        assert (
            await registry.bot.get_application(owner, application.application_id)
        ).owner == owner


async def test_out_of_range_numbers_are_just_not_found(registry: Registry) -> None:
    owner = new_owner()
    with pytest.raises(NotFound):
        await registry.bot.get_evidence(owner, 2**40)
    page = await registry.bot.status_changes_since(2**40)
    assert page.changes == ()
    with pytest.raises(NotFound):
        await registry.bot.get_application(owner, "APP-2025-99999999999")


# Payment accounts and websites


async def test_payment_accounts_attached_by_an_officer_find_their_shop(registry: Registry) -> None:
    _, shop, _, certificate_id = await certified_shop(registry.bot, registry.officer)
    tag = shop.tag.lower()
    verdict = await registry.officer.add_identifiers(
        certificate_id,
        [
            Identifier(IdentifierKind.PAYMENT, f"Sokha_{tag}@ACLB", f"Sokha_{tag}@ACLB"),
            Identifier(IdentifierKind.PAYMENT, f"000-{tag}@abaa".replace("-", "")),
        ],
        officer="dara",
    )
    payments = {i.value for i in verdict.identifiers if i.kind is IdentifierKind.PAYMENT}
    assert f"sokha_{tag}@aclb" in payments
    (match,) = await registry.bot.find_shops(f"sokha_{tag}@aclb")
    assert match.matched_by is MatchKind.IDENTIFIER
    assert match.shop.certificate is not None
    assert match.shop.certificate.certificate_id == certificate_id
    # Attaching again adds nothing; an unreadable account adds nothing and says which.
    again = await registry.officer.add_identifiers(
        shop.telegram, [Identifier(IdentifierKind.PAYMENT, f"sokha_{tag}@aclb")], officer="dara"
    )
    assert len(again.identifiers) == len(verdict.identifiers)
    with pytest.raises(ValidationError, match="not an account"):
        await registry.officer.add_identifiers(
            shop.telegram, [Identifier(IdentifierKind.PAYMENT, "not an account")], officer="dara"
        )
    with pytest.raises(NotFound):
        await registry.officer.add_identifiers(
            f"EC-NOBODY-{tag}", [Identifier(IdentifierKind.PAYMENT, "x@aclb")], officer="dara"
        )


async def test_a_website_is_found_from_any_page_of_it(registry: Registry) -> None:
    tag = token().lower()
    record = BusinessRecord(
        registration_no=f"EC-WEB-{tag}",
        name=f"Web Shop {tag}",
        identifiers=(
            Identifier(
                IdentifierKind.WEBSITE,
                f"https://www.shop-{tag}.com.kh/home",
                f"https://www.shop-{tag}.com.kh/home",
            ),
        ),
    )
    await registry.officer.import_businesses([record], officer="dara")
    for link in (
        f"shop-{tag}.com.kh",
        f"https://m.shop-{tag}.com.kh/products/12?utm_source=fb",
        f"http://mobile.shop-{tag}.com.kh/cart#top",
    ):
        (match,) = await registry.bot.find_shops(link)
        assert match.shop.registration_no == f"EC-WEB-{tag}".upper()
