from llm.models.api_tokens import ApiFeatureAccess, ApiToken
from llm.models.budgets import Budget, BudgetReservation
from llm.models.catalog import ANY, FeatureFlag, LLMModel, ModelPrice, PromptTemplate, Provider, RoutingRule
from llm.models.runs import AiMemory, AiRun

__all__ = [
    "ANY",
    "AiMemory",
    "AiRun",
    "ApiFeatureAccess",
    "ApiToken",
    "Budget",
    "BudgetReservation",
    "FeatureFlag",
    "LLMModel",
    "ModelPrice",
    "PromptTemplate",
    "Provider",
    "RoutingRule",
]
