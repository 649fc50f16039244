"""Ready-made surveys, written in both languages.

Plain data rather than gettext strings: the text is copied into the survey in
the language the curator picks, and then belongs to them to edit.
"""

from __future__ import annotations

from ..models import QuestionType

QUARTERLY_SATISFACTION = {
    "title": {"fr": "Baromètre trimestriel des ambassadeurs", "en": "Quarterly ambassador pulse"},
    "intro": {
        "fr": "Cinq questions, deux minutes. Vos réponses sont anonymes : elles ne sont pas reliées "
              "à votre compte, et les résultats ne s'affichent qu'à partir de plusieurs réponses.",
        "en": "Five questions, two minutes. Your answers are anonymous: they are not linked to your "
              "account, and results only appear once enough people have answered.",
    },
    "questions": [
        {"kind": QuestionType.SCALE, "required": True,
         "text": {"fr": "Dans l'ensemble, êtes-vous satisfait·e du programme ce trimestre ? "
                        "(1 = pas du tout, 5 = tout à fait)",
                  "en": "Overall, how satisfied are you with the program this quarter? (1 = not at all, 5 = very)"}},
        {"kind": QuestionType.SCALE, "required": False,
         "text": {"fr": "Les contenus proposés correspondent-ils à ce que vous souhaitez partager ? "
                        "(1 = rarement, 5 = presque toujours)",
                  "en": "Does the suggested content match what you want to share? (1 = rarely, 5 = almost always)"}},
        {"kind": QuestionType.SINGLE, "required": False,
         "text": {"fr": "Le temps que vous y consacrez vous convient-il ?",
                  "en": "Does the time you give to the program suit you?"},
         "options": {"fr": ["Trop", "Ce qu'il faut", "Pas assez"],
                     "en": ["Too much", "About right", "Not enough"]}},
        {"kind": QuestionType.MULTIPLE, "required": False,
         "text": {"fr": "Qu'est-ce qui vous aiderait le plus ?", "en": "What would help you most?"},
         "options": {"fr": ["Plus de contenus", "Des textes plus variés", "Une rencontre entre ambassadeurs",
                            "Une formation aux réseaux", "Des retours sur l'impact"],
                     "en": ["More content", "More varied texts", "A meet-up of ambassadors",
                            "Social media training", "Feedback on impact"]}},
        {"kind": QuestionType.TEXT, "required": False,
         "text": {"fr": "Une chose à changer ou à garder ?", "en": "One thing to change, or to keep?"}},
    ],
}

TEMPLATES = {"quarterly": QUARTERLY_SATISFACTION}


def localised(template: dict, language: str) -> dict:
    """The template's texts in one language (English if that language is missing)."""
    def pick(texts: dict):
        return texts.get(language, texts["en"])

    return {
        "title": pick(template["title"]),
        "intro": pick(template["intro"]),
        "questions": [
            {"kind": q["kind"], "required": q["required"], "text": pick(q["text"]),
             "options": pick(q["options"]) if "options" in q else []}
            for q in template["questions"]
        ],
    }
