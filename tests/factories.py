"""factory-boy factories; roles come from the groups the data migration created."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from trialsite import roles

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if not (create and extracted):
            return
        # A transactional test flushes the migration's groups; recreate them the same way.
        if not Group.objects.filter(name=extracted).exists():
            roles.roles_sync()
        self.groups.add(Group.objects.get(name=extracted))
        self.save()
