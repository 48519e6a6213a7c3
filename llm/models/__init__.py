from llm.models.budgets import Budget, BudgetReservation
from llm.models.catalog import ANY, FeatureFlag, LLMModel, ModelPrice, PromptTemplate, Provider, RoutingRule
from llm.models.runs import AiMemory, AiRun

__all__ = [
    "ANY",
    "AiMemory",
    "AiRun",
    "Budget",
    "BudgetReservation",
    "FeatureFlag",
    "LLMModel",
    "ModelPrice",
    "PromptTemplate",
    "Provider",
    "RoutingRule",
]
