import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("面商与测评")

    def ready(self) -> None:
        from audit.history import limit_versions
        from proposals.models import register_action_choices, register_state_choices
        from proposals.selectors import register_member_timeline

        from .actions import ConsultationAction as A
        from .models import Consultation, ConsultationSigner, ConsultationStatus, Rating, Satisfaction
        from .selectors import consultations_visible_to, ratings_visible_to, signers_visible_to

        limit_versions(Consultation, consultations_visible_to)
        limit_versions(ConsultationSigner, signers_visible_to)
        limit_versions(Rating, ratings_visible_to)
        from . import audit_words

        audit_words.register()  # the audit page names records and ratings in words

        register_action_choices(A)
        # The staff proposal search looks in this app's texts too (proposals imports no app above it),
        # through their bigram index, which this app keeps (index upkeep, not workflow).
        from . import search

        search.register()
        register_member_timeline(A.SIGN_ONLINE, A.SIGN_PAPER, A.RESIGN, A.REHANDLE)
        register_member_timeline(A.CLOSE, note=True)
        # A rating and its comment belong to the member who gave it; co-signers rate separately.
        register_member_timeline(A.RATE, A.RATE_CHANGE, own_only=True)
        register_state_choices(ConsultationStatus)
        register_state_choices(Satisfaction)

        # The proposal export's 满意度 (proposals cannot import this app).
        from proposals.exports import register_export_filler

        from .exports import satisfaction_column

        register_export_filler(satisfaction_column)

        # The verification page (replies) finds a signed record by the 核验码 printed on it; the
        # reply page says when the member signed the record on an earlier version of the reply.
        from replies.notices import REPLY_NOTICES
        from replies.verification import CODE_VERIFIERS, CodeVerifier

        from .selectors import stale_signature_notices, verified_record
        from .services.hashing import VERIFICATION_CODE_LENGTH

        if stale_signature_notices not in REPLY_NOTICES:
            REPLY_NOTICES.append(stale_signature_notices)

        if not any(verifier.find is verified_record for verifier in CODE_VERIFIERS):
            CODE_VERIFIERS.append(CodeVerifier(length=VERIFICATION_CODE_LENGTH, find=verified_record))

        # The replies app knows nothing of consultations (dependencies point one way); it offers a
        # list of checks run before a reply is issued, and this app adds its rule to it.
        try:
            reply_services = importlib.import_module("replies.services")
        except ModuleNotFoundError as exc:
            if exc.name != "replies.services":
                raise
            return
        checks = getattr(reply_services, "ISSUE_CHECKS", None)
        if checks is None:
            return
        from .services import require_signed_consultation

        if require_signed_consultation not in checks:
            checks.append(require_signed_consultation)
